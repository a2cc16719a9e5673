// maskColumn: one path into the module, one path out, one fallback; all in the calling thread.
// - In: JS checks and measures every cell, then writes its UTF-16 code units straight into a
//   buffer in the module's memory: one byte per unit while the column is ASCII, two from the
//   first cell that is not (`columnReserve`, `columnWiden`). A number, boolean or bigint is
//   written as `String(v)`, the text `mask` reads it as. Lone surrogates cross as they are; wasm
//   reads each as U+FFFD.
// - Out: wasm masks the whole column in one call (`columnMask`) into another buffer there, ASCII
//   (always for HASH) or UTF-16 code units, with each cell's masked length; JS decodes it into one
//   string and slices that by the masked lengths. Nothing is joined, transcoded or copied on the
//   way. NULLIFY never crosses.
// - Fallback: the wasm `maskColumn` (crates/wasm/src/masking.rs) reads and masks the cells one by
//   one. It is taken only for what this path can't write: `values` that is not an array, a cell
//   that is not a string, number, boolean, bigint, null or undefined (it throws the located
//   error), and cells that change while they are read. It masks identically.
import {
  maskColumn as maskColumnCells,
  columnMaskName,
  columnMask,
  columnMemory,
  columnRelease,
  columnReserve,
  columnWiden,
} from "./steward_wasm.js";

/** The length the column buffers hold for a null cell (core's `masking::NULL_CELL`). */
const NULL_CELL = 0xffffffff;
/** The module's WebAssembly.Memory (its `buffer` changes whenever the memory grows); asked for
 * on first use, since this file is evaluated before the entry instantiates the module. */
let memory;
// Node's Buffer turns Latin-1 bytes and UTF-16 code units into a string natively, faster than
// TextDecoder; elsewhere (browsers) TextDecoder. Buffer's "utf16le" is the layout of a
// Uint16Array only on little-endian hosts. HASH's hex is the exception: TextDecoder everywhere.
// Buffer makes an external string of anything over ~1 MB, and the 64 MB of hex of a 1 M-cell
// column would start a full garbage collection for external memory pressure on every call
// (an 85–140 ms mark-compact, seen with --trace-gc), where TextDecoder's string is in V8's own
// heap.
const NodeBuffer = typeof globalThis.Buffer === "function" && new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
  ? globalThis.Buffer
  : undefined;
const asciiDecoder = new TextDecoder();
// ignoreBOM: a cell may start with U+FEFF, which must stay.
const utf16Decoder = NodeBuffer ? undefined : new TextDecoder("utf-16le", { ignoreBOM: true });

/** Masks a whole column: `maskColumn(values, "HASH")` → an array of the same length, in order. */
export function maskColumn(values, maskType, options) {
  // The mask and options are checked before the cells, as on the fallback.
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
  return maskThroughMemory(values, lengths, total, name, options) ?? maskColumnCells(values, maskType, options);
}

/**
 * Masks the column, measured as `lengths` holding `units` code units in all, through the
 * module's memory with the mask named `name`; `undefined` if a cell changed since it was
 * measured.
 */
function maskThroughMemory(values, lengths, units, name, options) {
  try {
    const cells = lengths.length;
    const [lengthsAt, textAt] = columnReserve(cells, units);
    memory ??= columnMemory();
    new Uint32Array(memory.buffer, lengthsAt, cells).set(lengths);
    const widen = (written) => {
      // Widening may grow the memory: its buffer is read after.
      const unitsAt = columnWiden(written);
      return new Uint16Array(memory.buffer, unitsAt, units);
    };
    const written = writeCells(values, lengths, new Uint8Array(memory.buffer, textAt, units), widen);
    const masked = written && columnMask(name, options);
    if (!masked) return undefined;
    const [maskedAt, textOutAt, textOutLength, wide] = masked;
    const text = decode(memory.buffer, textOutAt, textOutLength, wide, name === "HASH");
    return sliceCells(text, new Uint32Array(memory.buffer, maskedAt, cells));
  } finally {
    columnRelease();
  }
}

/**
 * Writes the cells' code units into `bytes`, one byte each while they are ASCII. At the first
 * unit that is not, `widen(written)` answers a UTF-16 buffer that holds the units written so
 * far, and the rest goes there. Answers `false` if a cell changed since `lengths` measured it.
 */
function writeCells(values, lengths, bytes, widen) {
  const count = lengths.length;
  let at = 0;
  let i = 0;
  // ASCII while it lasts: a unit above 0x7F stops the loop with `at` before that cell.
  for (; i < count; i++) {
    const length = lengths[i];
    if (length === NULL_CELL) continue;
    const text = cellText(values[i]);
    if (text === undefined || text.length !== length) return false;
    let seen = 0;
    for (let k = 0; k < length; k++) {
      const unit = text.charCodeAt(k);
      seen |= unit;
      bytes[at + k] = unit;
    }
    if (seen > 0x7f) break;
    at += length;
  }
  if (i === count) return true;
  // From this cell on, two bytes per unit.
  const units = widen(at);
  for (; i < count; i++) {
    const length = lengths[i];
    if (length === NULL_CELL) continue;
    const text = cellText(values[i]);
    if (text === undefined || text.length !== length) return false;
    for (let k = 0; k < length; k++) units[at + k] = text.charCodeAt(k);
    at += length;
  }
  return true;
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
    : asciiDecoder.decode(new Uint8Array(buffer, at, length));
}

/** Cuts `text`, the masked cells one after another, by their masked lengths (`NULL_CELL` for
 * null) into a new array. */
function sliceCells(text, maskedLengths) {
  const out = new Array(maskedLengths.length);
  let at = 0;
  for (let i = 0; i < maskedLengths.length; i++) {
    const length = maskedLengths[i];
    if (length === NULL_CELL) {
      out[i] = null;
    } else {
      const end = at + length;
      out[i] = text.slice(at, end);
      at = end;
    }
  }
  return out;
}
