// maskColumn's fast path. The per-cell work JS does fastest stays in JS: type checks, lengths,
// and copying each cell's UTF-16 code units, which JS writes straight into a buffer in the
// module's memory (one byte per unit while the column is ASCII, two once a cell is not). Wasm
// masks the column in one call into another buffer there, which JS decodes into one string
// (Latin-1 or UTF-16: no UTF-8 on either side) and slices by the masked lengths. Nothing is
// joined or copied on the way. Lone surrogates cross as they are; wasm reads each as U+FFFD.
// NULLIFY never crosses. Anything unusual (not an array, a cell that is not a string, number,
// boolean, bigint, null or undefined, cells that change while they are read) takes the
// cell-by-cell path (crates/wasm/src/masking.rs), which masks identically and throws the
// located error.
import {
  maskColumn as maskColumnCells,
  maskColumnNullifies,
  columnMask,
  columnMemory,
  columnRelease,
  columnReserve,
  columnWiden,
} from "./steward_wasm.js";

/** The length the column buffers hold for a null cell. */
const NULL_CELL = 0xffffffff;
/** The module's WebAssembly.Memory (its `buffer` changes whenever the memory grows); asked for
 * on first use, since this file is evaluated before the entry instantiates the module. */
let memory;
// Node's Buffer turns Latin-1 bytes and UTF-16 code units into a string natively, faster than
// TextDecoder; elsewhere (browsers) TextDecoder. Buffer's "utf16le" is the layout of a
// Uint16Array only on little-endian hosts.
const NodeBuffer = typeof globalThis.Buffer === "function" && new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
  ? globalThis.Buffer
  : undefined;
const asciiDecoder = NodeBuffer ? undefined : new TextDecoder();
// ignoreBOM: a cell may start with U+FEFF, which must stay.
const utf16Decoder = NodeBuffer ? undefined : new TextDecoder("utf-16le", { ignoreBOM: true });

/** Masks a whole column: `maskColumn(values, "HASH")` → an array of the same length, in order. */
export function maskColumn(values, maskType, options) {
  // The mask and options are checked before the cells, as on the cell-by-cell path.
  const nullifies = maskColumnNullifies(maskType, options);
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
  if (nullifies) return new Array(count).fill(null);
  try {
    const masked = writeColumn(values, lengths, total) && columnMask(maskType, options);
    if (!masked) return maskColumnCells(values, maskType, options);
    return sliceColumn(masked, count);
  } finally {
    columnRelease();
  }
}

/** Copies the cells into the column buffers; `false` if a cell changed since it was measured. */
function writeColumn(values, lengths, total) {
  const count = values.length;
  const [lengthsAt, textAt] = columnReserve(count, total);
  memory ??= columnMemory();
  new Uint32Array(memory.buffer, lengthsAt, count).set(lengths);
  const bytes = new Uint8Array(memory.buffer, textAt, total);
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
  // From this cell on, two bytes per unit; wasm widens what is written so far (and may grow
  // the memory, so the buffer is read after it).
  const unitsAt = columnWiden(at);
  const units = new Uint16Array(memory.buffer, unitsAt, total);
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

/** The masked cells: one decoded string, sliced by the masked lengths. */
function sliceColumn([lengthsAt, textAt, textLength, wide], count) {
  const buffer = memory.buffer;
  let text;
  if (wide) {
    text = NodeBuffer
      ? NodeBuffer.from(buffer, textAt, textLength * 2).toString("utf16le")
      : utf16Decoder.decode(new Uint16Array(buffer, textAt, textLength));
  } else {
    text = NodeBuffer
      ? NodeBuffer.from(buffer, textAt, textLength).toString("latin1")
      : asciiDecoder.decode(new Uint8Array(buffer, textAt, textLength));
  }
  const lengths = new Uint32Array(buffer, lengthsAt, count);
  const out = new Array(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const length = lengths[i];
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
