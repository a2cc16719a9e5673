// Node only: the worker thread of js/column-helper.js. It instantiates the module it is given
// (already compiled), says it is ready, and masks each part of a column it is sent exactly as
// js/masking.js masks a column in the main thread (the same buffers, the same `columnMask`), in
// chunks of CHUNK_CELLS cells, counting the cells done in the control array after each.
import { parentPort, workerData } from "node:worker_threads";

import { CELLS, CHUNK_CELLS, FAILED, HASH_HEX, READY } from "./column-helper.js";
import { NULL_CELL } from "./masking.js";
import { columnMask, columnMemory, columnRelease, columnReserve, columnWiden, initSync } from "./steward_wasm.js";

const { module, control } = workerData;
initSync({ module });
const memory = columnMemory();
Atomics.store(control, READY, 1);

parentPort.on("message", (job) => {
  try {
    let unitsAt = 0;
    let hexAt = 0;
    for (let first = 0; first < job.cells; first += CHUNK_CELLS) {
      const last = Math.min(job.cells, first + CHUNK_CELLS);
      const chunk = maskChunk(job, first, last, unitsAt, hexAt);
      if (!chunk) throw new Error("columnMask refused the chunk");
      unitsAt += chunk.units;
      hexAt += chunk.hexLength;
      Atomics.store(control, CELLS, last);
      Atomics.notify(control, CELLS);
    }
  } catch {
    // The main thread masks the part itself.
    Atomics.store(control, CELLS, FAILED);
    Atomics.notify(control, CELLS);
  }
});

/**
 * Masks cells `[first, last)` of a job, whose text starts at code unit `unitsAt`: their masked
 * lengths replace their lengths, and their hex goes to the job's hex buffer at `hexAt`. Answers
 * the code units read and the hex written, or `undefined` if wasm refused the chunk.
 */
function maskChunk({ lengths, text, wide, hex, maskType, options }, first, last, unitsAt, hexAt) {
  const cells = last - first;
  const lengthsIn = new Uint32Array(lengths, first * Uint32Array.BYTES_PER_ELEMENT, cells);
  let units = 0;
  for (let i = 0; i < cells; i++) if (lengthsIn[i] !== NULL_CELL) units += lengthsIn[i];
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
    if (!masked) return undefined;
    const [maskedAt, hexOutAt, hexLength, wideHex] = masked;
    // HASH answers ASCII hex, at most HASH_HEX bytes a cell; anything else is not this helper's.
    if (wideHex || hexLength > cells * HASH_HEX) return undefined;
    lengthsIn.set(new Uint32Array(memory.buffer, maskedAt, cells));
    new Uint8Array(hex, hexAt, hexLength).set(new Uint8Array(memory.buffer, hexOutAt, hexLength));
    return { units, hexLength };
  } finally {
    columnRelease();
  }
}
