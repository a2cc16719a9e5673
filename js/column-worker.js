// Node only: the worker thread of js/column-helper.js. It instantiates the module it is given
// (already compiled), says it is ready, and masks each part of a column it is sent exactly as
// js/masking.js masks a column in the main thread (the same buffers, the same `columnMask`), one
// chunk of at most CHUNK_CELLS cells a message, counting the cells done in the control array.
import { parentPort, workerData } from "node:worker_threads";

import { CELLS, FAILED, HASH_HEX, READY } from "./column-helper.js";
import { columnMask, columnMemory, columnRelease, columnReserve, columnWiden, initSync } from "./steward_wasm.js";

const { module, control } = workerData;
initSync({ module });
const memory = columnMemory();
Atomics.store(control, READY, 1);

/** Where the chunks of the job in hand have put their hex so far, and whether one failed. */
let hexAt = 0;
let failed = false;

parentPort.on("message", (chunk) => {
  if (chunk.first === 0) {
    hexAt = 0;
    failed = false;
  }
  // Once a chunk failed, the job stays FAILED: the main thread masks the whole part itself.
  if (failed) return;
  try {
    hexAt += maskChunk(chunk, hexAt);
    Atomics.store(control, CELLS, chunk.last);
  } catch {
    failed = true;
    Atomics.store(control, CELLS, FAILED);
  }
  Atomics.notify(control, CELLS);
});

/**
 * Masks cells `[first, last)` of a job, whose `units` code units start at `unitsAt` (of `text`,
 * one byte a unit or, if `wide`, two): their masked lengths replace their lengths, and their hex
 * goes to the job's hex buffer at `hexAt`. Answers the hex's length; throws if wasm refused the
 * chunk or answered anything but HASH's hex.
 */
function maskChunk({ first, last, unitsAt, units, lengths, wide, text, hex, maskType, options }, hexAt) {
  const cells = last - first;
  const lengthsIn = new Uint32Array(lengths, first * Uint32Array.BYTES_PER_ELEMENT, cells);
  try {
    const [lengthsAt, textAt] = columnReserve(cells, units);
    new Uint32Array(memory.buffer, lengthsAt, cells).set(lengthsIn);
    if (wide) {
      const wideAt = columnWiden(0);
      new Uint16Array(memory.buffer, wideAt, units).set(new Uint16Array(text, unitsAt * 2, units));
    } else {
      new Uint8Array(memory.buffer, textAt, units).set(new Uint8Array(text, unitsAt, units));
    }
    const masked = columnMask(maskType, options);
    if (!masked) throw new Error("columnMask refused the chunk");
    const [maskedAt, hexOutAt, hexLength, wideHex] = masked;
    // HASH answers ASCII hex, at most HASH_HEX bytes a cell; anything else is not this helper's.
    if (wideHex || hexLength > cells * HASH_HEX) throw new Error("not HASH's hex");
    lengthsIn.set(new Uint32Array(memory.buffer, maskedAt, cells));
    new Uint8Array(hex, hexAt, hexLength).set(new Uint8Array(memory.buffer, hexOutAt, hexLength));
    return hexLength;
  } finally {
    columnRelease();
  }
}
