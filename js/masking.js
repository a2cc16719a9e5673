// maskColumn's fast path. The per-cell work JS does fastest stays in JS: type checks, lengths
// (a Uint32Array), one native `join("")`. Then the column crosses into wasm once as one text
// and comes back once as one text plus the masked cells' lengths, which JS slices. An ASCII
// column crosses as UTF-8 (`TextEncoder`/`TextDecoder` are fastest there); any other as UTF-16
// code units, which JS reads and writes far faster than UTF-8 once text is not ASCII, and which
// also keeps lone surrogates where they are (wasm reads each as U+FFFD). NULLIFY never crosses.
// Anything unusual (not an array, a cell that is not a string, number, boolean, bigint, null or
// undefined, lengths that don't add up) takes the cell-by-cell path (crates/wasm/src/masking.rs),
// which masks identically and throws the located error.
import {
  maskColumn as maskColumnCells,
  maskColumnAscii,
  maskColumnNullifies,
  maskColumnUtf16,
} from "./steward_wasm.js";

/** The length `maskColumnAscii` / `maskColumnUtf16` read and write for a null cell. */
const NULL_CELL = 0xffffffff;
const NON_ASCII = /[^\0-\x7f]/;
const encoder = new TextEncoder();
// Node's Buffer copies UTF-16 code units natively, several times faster than a JS loop or
// TextDecoder; elsewhere (browsers) the portable forms below. Buffer's "utf16le" is the layout
// of a Uint16Array only on little-endian hosts.
const NodeBuffer = typeof globalThis.Buffer === "function" && new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
  ? globalThis.Buffer
  : undefined;

/** Masks a whole column: `maskColumn(values, "HASH")` → an array of the same length, in order. */
export function maskColumn(values, maskType, options) {
  // The mask and options are checked before the cells, as on the cell-by-cell path.
  const nullifies = maskColumnNullifies(maskType, options);
  if (!Array.isArray(values)) return maskColumnCells(values, maskType, options);
  const count = values.length;
  // A cell's length in UTF-16 code units is exactly what `join("")` writes for it: strings as
  // they are, numbers, booleans and bigints as `String(v)`, null and undefined as nothing.
  const lengths = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const value = values[i];
    if (typeof value === "string") {
      lengths[i] = value.length;
    } else if (value === null || value === undefined) {
      lengths[i] = NULL_CELL;
    } else if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
      lengths[i] = String(value).length;
    } else {
      return maskColumnCells(values, maskType, options);
    }
  }
  if (nullifies) return new Array(count).fill(null);
  const joined = values.join("");
  const text = NON_ASCII.test(joined)
    ? utf16Column(joined, lengths, maskType, options)
    : asciiColumn(joined, lengths, maskType, options);
  if (text === undefined) return maskColumnCells(values, maskType, options);
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

function asciiColumn(joined, lengths, maskType, options) {
  const bytes = new Uint8Array(joined.length);
  encoder.encodeInto(joined, bytes);
  return maskColumnAscii(bytes, lengths, maskType, options);
}

function utf16Column(joined, lengths, maskType, options) {
  const units = new Uint16Array(joined.length);
  if (NodeBuffer) {
    NodeBuffer.from(units.buffer).write(joined, "utf16le");
  } else {
    for (let i = 0; i < units.length; i++) units[i] = joined.charCodeAt(i);
  }
  const masked = maskColumnUtf16(units, lengths, maskType, options);
  if (masked === undefined || typeof masked === "string") return masked;
  if (NodeBuffer) return NodeBuffer.from(masked.buffer, masked.byteOffset, masked.byteLength).toString("utf16le");
  // ignoreBOM: a cell may start with U+FEFF, which must stay.
  return new TextDecoder("utf-16le", { ignoreBOM: true }).decode(masked);
}
