// maskColumn's fast path. The per-cell work JS does fastest stays in JS: type checks, lengths,
// and copying each cell's UTF-16 code units, which JS writes straight into a buffer in the
// module's memory (one byte per unit while the column is ASCII, two once a cell is not). Wasm
// masks the column in one call into another buffer there, which JS decodes into one string
// (ASCII or UTF-16: wasm never transcodes the answer) and slices by the masked lengths. Nothing is
// joined or copied on the way. Lone surrogates cross as they are; wasm reads each as U+FFFD.
// NULLIFY never crosses. In Node, a large HASH column is shared with a helper thread
// (js/column-helper.js), which masks its last cells in its own instance of the module while this
// thread masks the first ones. Anything unusual (not an array, a cell that is not a string, number,
// boolean, bigint, null or undefined, cells that change while they are read) takes the
// cell-by-cell path (crates/wasm/src/masking.rs), which masks identically and throws the
// located error.
import {
  maskColumn as maskColumnCells,
  columnMaskName,
  columnMask,
  columnMemory,
  columnRelease,
  columnReserve,
  columnWiden,
} from "./steward_wasm.js";

/** The length the column buffers hold for a null cell. */
export const NULL_CELL = 0xffffffff;
/** The module's WebAssembly.Memory (its `buffer` changes whenever the memory grows); asked for
 * on first use, since this file is evaluated before the entry instantiates the module. */
let memory;
// Node's Buffer turns Latin-1 bytes and UTF-16 code units into a string natively, faster than
// TextDecoder; elsewhere (browsers) TextDecoder. Buffer's "utf16le" is the layout of a
// Uint16Array only on little-endian hosts. HASH's hex is the exception: TextDecoder everywhere.
// Buffer makes an external string of anything over ~1 MB, and the 64 MB of hex of a 1 M-cell
// column would start a full garbage collection for external memory pressure on every call
// (~100 ms on this thread; BENCHMARKS.md §4), where TextDecoder's string is in V8's own heap.
const NodeBuffer = typeof globalThis.Buffer === "function" && new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
  ? globalThis.Buffer
  : undefined;
const asciiDecoder = new TextDecoder();
// ignoreBOM: a cell may start with U+FEFF, which must stay.
const utf16Decoder = NodeBuffer ? undefined : new TextDecoder("utf-16le", { ignoreBOM: true });

/** Masks a whole column: `maskColumn(values, "HASH")` → an array of the same length, in order. */
export function maskColumn(values, maskType, options) {
  // The mask and options are checked before the cells, as on the cell-by-cell path.
  const name = columnMaskName(maskType, options);
  if (!Array.isArray(values)) return maskColumnCells(values, maskType, options);
  const count = values.length;
  // A cell's text is what `String(v)` gives (`mask` reads numbers, booleans and bigints so);
  // its length is in UTF-16 code units.
  const lengths = new Uint32Array(count);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const value = values[i];
    if (typeof value === "string") {
      lengths[i] = value.length;
      total += value.length;
    } else if (value === null || value === undefined) {
      lengths[i] = NULL_CELL;
    } else if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
      const length = String(value).length;
      lengths[i] = length;
      total += length;
    } else {
      return maskColumnCells(values, maskType, options);
    }
  }
  if (name === "NULLIFY") return new Array(count).fill(null);
  const out = new Array(count);
  // The helper's cells are written and handed over first, so it works while this thread does.
  const shared = name === "HASH" ? columnHelper?.start(values, lengths, total, maskType, options) : undefined;
  const here = shared ? shared.from : count;
  const masked = maskHere(values, lengths, 0, here, total - (shared?.units ?? 0), name, options, out);
  // The helper's part is collected (or, if it failed, masked here) even if this part was not.
  const sharedMasked = !shared || shared.finish(out) || maskHere(values, lengths, here, count, shared.units, name, options, out);
  return masked && sharedMasked ? out : maskColumnCells(values, maskType, options);
}

/** Set by the Node entry: the helper thread `maskColumn` shares large HASH columns with. */
let columnHelper;

/** Installs (or, with `undefined`, removes) the helper thread of large HASH columns. */
export function setColumnHelper(helper) {
  columnHelper = helper;
}

/** The helper thread in use, if any (tests read its `ready` and `jobs`). */
export function usedColumnHelper() {
  return columnHelper;
}

/**
 * Masks cells `[from, to)`, holding `units` code units, in this thread's module with the mask
 * named `name` and stores them in `out` at the same indices; `false` if a cell changed since it
 * was measured.
 */
function maskHere(values, lengths, from, to, units, name, options, out) {
  try {
    const cells = to - from;
    const [lengthsAt, textAt] = columnReserve(cells, units);
    memory ??= columnMemory();
    new Uint32Array(memory.buffer, lengthsAt, cells).set(lengths.subarray(from, to));
    const widen = (written) => {
      // Widening may grow the memory: its buffer is read after.
      const unitsAt = columnWiden(written);
      return new Uint16Array(memory.buffer, unitsAt, units);
    };
    const written = writeCells(values, lengths, from, to, new Uint8Array(memory.buffer, textAt, units), widen);
    const masked = written && columnMask(name, options);
    if (!masked) return false;
    const [maskedAt, textOutAt, textOutLength, wide] = masked;
    const text = decode(memory.buffer, textOutAt, textOutLength, wide, name === "HASH");
    sliceCells(text, new Uint32Array(memory.buffer, maskedAt, cells), out, from);
    return true;
  } finally {
    columnRelease();
  }
}

/**
 * Writes the code units of cells `[from, to)` into `bytes`, one byte each while they are ASCII.
 * At the first unit that is not, `widen(written)` answers a UTF-16 buffer that holds the units
 * written so far, and the rest goes there. Answers the buffer written last, or `undefined` if a
 * cell changed since `lengths` measured it.
 */
export function writeCells(values, lengths, from, to, bytes, widen) {
  let at = 0;
  let i = from;
  // ASCII while it lasts: a unit above 0x7F stops the loop with `at` before that cell.
  for (; i < to; i++) {
    const length = lengths[i];
    if (length === NULL_CELL) continue;
    const text = cellText(values[i]);
    if (text === undefined || text.length !== length) return undefined;
    let seen = 0;
    for (let k = 0; k < length; k++) {
      const unit = text.charCodeAt(k);
      seen |= unit;
      bytes[at + k] = unit;
    }
    if (seen > 0x7f) break;
    at += length;
  }
  if (i === to) return bytes;
  // From this cell on, two bytes per unit.
  const units = widen(at);
  for (; i < to; i++) {
    const length = lengths[i];
    if (length === NULL_CELL) continue;
    const text = cellText(values[i]);
    if (text === undefined || text.length !== length) return undefined;
    for (let k = 0; k < length; k++) units[at + k] = text.charCodeAt(k);
    at += length;
  }
  return units;
}

/** A non-null cell's text, as the lengths loop measured it; `undefined` for anything else. */
function cellText(value) {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return undefined;
}

/**
 * The masked text wasm wrote: `length` bytes of ASCII or, if `wide`, UTF-16 code units; `hex`
 * if it is HASH's.
 */
function decode(buffer, at, length, wide, hex) {
  if (wide) {
    return NodeBuffer
      ? NodeBuffer.from(buffer, at, length * 2).toString("utf16le")
      : utf16Decoder.decode(new Uint16Array(buffer, at, length));
  }
  return NodeBuffer && !hex
    ? NodeBuffer.from(buffer, at, length).toString("latin1")
    : decodeAscii(new Uint8Array(buffer, at, length));
}

/** ASCII bytes (of the module's memory, or of a SharedArrayBuffer) as one string in V8's heap. */
export function decodeAscii(bytes) {
  return asciiDecoder.decode(bytes);
}

/**
 * Cuts `text`, the masked cells one after another, by their masked lengths (`NULL_CELL` for
 * null) into `out`, from index `from` on.
 */
export function sliceCells(text, maskedLengths, out, from) {
  let at = 0;
  for (let i = 0; i < maskedLengths.length; i++) {
    const length = maskedLengths[i];
    if (length === NULL_CELL) {
      out[from + i] = null;
    } else {
      const end = at + length;
      out[from + i] = text.slice(at, end);
      at = end;
    }
  }
}
