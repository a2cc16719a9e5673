// A stand-in for dist/column-worker.js that says it is ready and never answers a job.
import { parentPort, workerData } from "node:worker_threads";

import { READY } from "../../dist/column-helper.js";

Atomics.store(workerData.control, READY, 1);
parentPort.on("message", () => {});
