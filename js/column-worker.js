// Node only: the worker thread of js/column-helper.js. It instantiates the module it is given
// (already compiled), says it is ready, and masks each part of a column it is sent exactly as
// js/masking.js masks a column in the main thread: the same buffers, the same `columnMask`.
import { parentPort, workerData } from "node:worker_threads";

import { DONE, FAILED, HASH_HEX, READY, STATE, TEXT_LENGTH } from "./column-helper.js";
import { columnMask, columnMemory, columnRelease, columnReserve, columnWiden, initSync } from "./steward_wasm.js";

const { module, control } = workerData;
initSync({ module });
const memory = columnMemory();
Atomics.store(control, READY, 1);

parentPort.on("message", (job) => {
  let state = FAILED;
  try {
    state = mask(job) ? DONE : FAILED;
  } catch {
    // Reported as FAILED: the main thread masks the part itself.
  } finally {
    columnRelease();
    Atomics.store(control, STATE, state);
    Atomics.notify(control, STATE);
  }
});

/**
 * Masks one part: `cells` lengths and `units` code units in (the buffers may be longer), masked
 * lengths (in place) and HASH hex out.
 */
function mask({ cells, units, lengths, text, wide, hex, maskType, options }) {
  const [lengthsAt, textAt] = columnReserve(cells, units);
  new Uint32Array(memory.buffer, lengthsAt, cells).set(new Uint32Array(lengths, 0, cells));
  if (wide) {
    const unitsAt = columnWiden(0);
    new Uint16Array(memory.buffer, unitsAt, units).set(new Uint16Array(text, 0, units));
  } else {
    new Uint8Array(memory.buffer, textAt, units).set(new Uint8Array(text, 0, units));
  }
  const masked = columnMask(maskType, options);
  if (!masked) return false;
  const [maskedAt, hexAt, hexLength, wideHex] = masked;
  // HASH answers ASCII hex, at most HASH_HEX bytes a cell; anything else is not this helper's.
  if (wideHex || hexLength > cells * HASH_HEX) return false;
  new Uint32Array(lengths, 0, cells).set(new Uint32Array(memory.buffer, maskedAt, cells));
  new Uint8Array(hex).set(new Uint8Array(memory.buffer, hexAt, hexLength));
  Atomics.store(control, TEXT_LENGTH, hexLength);
  return true;
}
