// A stand-in for dist/column-worker.js that says it is ready and reports every job FAILED.
import { parentPort, workerData } from "node:worker_threads";

import { CELLS, FAILED, READY } from "../../dist/column-helper.js";

Atomics.store(workerData.control, READY, 1);
parentPort.on("message", () => {
  Atomics.store(workerData.control, CELLS, FAILED);
  Atomics.notify(workerData.control, CELLS);
});
