// Node only: the helper thread of `maskColumn` (js/masking.js). HASH is the one mask whose time is
// mostly wasm's (software SHA-256), so a large HASH column is split: a worker thread with its own
// instance of the module hashes the last 60 % of the text while this thread hashes the rest,
// and this thread then waits for it (`Atomics.wait`, which Node allows on its main thread).
//
// The worker is started by the first large HASH column and is used from the next one on, once it
// has said it is ready; until then, and whenever it fails or is too slow, this thread masks
// everything itself, so the answer never depends on the helper. It is `unref`ed: it never keeps
// a process alive. Cells cross in SharedArrayBuffers: the lengths (which the worker overwrites
// with the masked lengths) and the code units, one byte each while they are ASCII, two once a
// cell is not, as js/masking.js writes them into the module's memory; the hex comes back in a
// third. They are kept for the next column (fresh ones cost a page fault per 4 KiB on both
// threads: ~5 % of a 1 M-cell column) until the process has been idle for a second. The part
// crosses in chunks: each is posted as soon as it is written, and the worker counts the cells
// done in a shared control array, so this thread, once its own part is done, slices each chunk
// as it comes.
import { availableParallelism, cpus } from "node:os";
import { Worker } from "node:worker_threads";

import { NULL_CELL, decodeAscii, sliceCells, writeCells } from "./masking.js";

/** Slots of the control array: whether the worker is ready (1), and how many cells of the job
 * in hand it has masked so far, or `FAILED`. */
export const READY = 0;
export const CELLS = 1;
export const FAILED = -1;
/** A job crosses in chunks of this many cells, each posted once written (so the worker starts
 * early) and reported once masked (so this thread slices the first while the worker hashes the
 * rest). */
export const CHUNK_CELLS = 65_536;
/** The most bytes HASH writes a cell (64 hex digits). */
export const HASH_HEX = 64;

/** Columns with fewer cells are hashed in one thread: handing over costs more than it saves. */
const MIN_CELLS = 65_536;
/**
 * The helper's part of the text. This thread also writes every cell and slices every answer,
 * and slices the helper's chunks while it hashes the last ones; on two cores shares of 0.5–0.7
 * measured alike within the machine's noise, 0.8 worse (BENCHMARKS.md §4).
 */
const HELPER_SHARE = 0.6;
/** How long to wait for the helper's part before masking it here (and dropping the helper). */
const TIMEOUT_MS = 10_000;
/** How long the shared buffers are kept after a job, if the event loop gets to run. */
const KEEP_BUFFERS_MS = 1_000;

/**
 * The helper of the module `module` (a compiled `WebAssembly.Module`), or `undefined` on a
 * machine with one core or where this thread may not block in `Atomics.wait` (as in some
 * embedders' UI threads). `workerUrl` and `timeoutMs` are for tests.
 */
export function columnHelper(module, { workerUrl = new URL("./column-worker.js", import.meta.url), timeoutMs = TIMEOUT_MS } = {}) {
  const cores = typeof availableParallelism === "function" ? availableParallelism() : cpus().length;
  if (cores < 2 || !mayWait()) return undefined;
  let worker;
  let control;
  let broken = false;
  /** The shared buffers, kept between jobs (see `shared`), and the timer that lets them go. */
  const buffers = {};
  let release;
  /** The job handed over and not yet collected (a `maskColumn` that threw before collecting it). */
  let pending;
  let jobs = 0;

  /** Starts the worker on first use; `true` once it has said it is ready. */
  function ready() {
    if (broken) return false;
    if (!worker) {
      try {
        control = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
        worker = new Worker(workerUrl, { workerData: { module, control } });
        worker.unref();
        worker.on("error", drop);
        worker.on("exit", drop);
      } catch {
        drop();
      }
      return false;
    }
    return Atomics.load(control, READY) === 1;
  }

  /** A shared buffer of at least `bytes` bytes for `use`: the one kept, or a larger one. */
  function shared(use, bytes) {
    if (!(buffers[use]?.byteLength >= bytes)) buffers[use] = new SharedArrayBuffer(bytes);
    return buffers[use];
  }

  /** Lets the shared buffers go: the garbage collector frees them. */
  function releaseBuffers() {
    for (const use of Object.keys(buffers)) delete buffers[use];
  }

  /** Stops using the worker (and stops it, if it still runs): every column is masked here. */
  function drop() {
    broken = true;
    pending = undefined;
    releaseBuffers();
    const stopping = worker;
    worker = undefined;
    stopping?.terminate().catch(() => {});
  }

  /**
   * Waits until the worker has masked more than `after` cells of the job in hand; answers how
   * many it has, or `FAILED` if it failed or is too slow. Either drops it: a module that failed
   * may have trapped, and an instance that trapped is not used again.
   */
  function progress(after) {
    for (;;) {
      const cells = Atomics.load(control, CELLS);
      if (cells === FAILED) break;
      if (cells !== after) return cells;
      if (Atomics.wait(control, CELLS, after, timeoutMs) === "timed-out") break;
    }
    drop();
    return FAILED;
  }

  /**
   * Waits for each chunk of `job` in turn and slices its hex into `out`; `false` if the worker
   * failed (or `job` is not the job in hand), and then `out` holds only some of the part.
   */
  function collect(job, out) {
    if (pending !== job) return false;
    pending = undefined;
    const { from, cells, lengthsIn, hex } = job;
    let taken = 0;
    let hexAt = 0;
    while (taken < cells) {
      const done = progress(taken);
      if (done === FAILED) return false;
      const maskedLengths = lengthsIn.subarray(taken, done);
      let hexLength = 0;
      for (let i = 0; i < maskedLengths.length; i++) {
        if (maskedLengths[i] !== NULL_CELL) hexLength += maskedLengths[i];
      }
      const masked = decodeAscii(new Uint8Array(hex, hexAt, hexLength));
      sliceCells(masked, maskedLengths, out, from + taken);
      taken = done;
      hexAt += hexLength;
    }
    jobs += 1;
    clearTimeout(release);
    release = setTimeout(releaseBuffers, KEEP_BUFFERS_MS).unref();
    return true;
  }

  /**
   * Writes the cells of `job` (the last cells of `values`) into the shared buffers and posts
   * them to the worker, chunk by chunk; `false` if a cell changed since it was measured or the
   * options can't be cloned (the chunks posted so far are still masked, and `settle` waits for
   * them before the next job).
   */
  function post(job, values, lengths, maskType, options) {
    const { from, cells, units, lengthsIn, hex } = job;
    const ascii = shared("ascii", units);
    // Each chunk is posted as soon as it is written, so the worker starts on the first while
    // this thread writes the next; each is ASCII (a byte a unit) or not (two) on its own.
    let unitsAt = 0;
    for (let first = 0; first < cells; first += CHUNK_CELLS) {
      const last = Math.min(cells, first + CHUNK_CELLS);
      let chunkUnits = 0;
      for (let i = first; i < last; i++) if (lengthsIn[i] !== NULL_CELL) chunkUnits += lengthsIn[i];
      const bytes = new Uint8Array(ascii, unitsAt, chunkUnits);
      const widen = (written) => {
        const wide = new Uint16Array(shared("wide", units * Uint16Array.BYTES_PER_ELEMENT), unitsAt * 2, chunkUnits);
        wide.set(bytes.subarray(0, written));
        return wide;
      };
      const written = writeCells(values, lengths, from + first, from + last, bytes, widen);
      if (!written) return false;
      try {
        worker.postMessage({
          first,
          last,
          unitsAt,
          units: chunkUnits,
          lengths: lengthsIn.buffer,
          wide: written.BYTES_PER_ELEMENT === 2,
          text: written.buffer,
          hex,
          maskType,
          options,
        });
      } catch {
        // Options that can't be cloned: this column is masked here.
        return false;
      }
      job.posted = last;
      unitsAt += chunkUnits;
    }
    return true;
  }

  /** Waits for the cells posted of a job no `maskColumn` collected (it threw, or gave up). */
  function settle(job) {
    pending = undefined;
    for (let cells = 0; cells !== FAILED && cells < job.posted; ) cells = progress(cells);
  }

  return {
    /** How many parts the worker masked (tests read it to know the helper took part). */
    get jobs() {
      return jobs;
    },

    /** Bytes of shared buffers kept for the next column (tests see them let go). */
    get keptBytes() {
      return Object.values(buffers).reduce((sum, buffer) => sum + buffer.byteLength, 0);
    },

    /** `true` once the worker has started and said it is ready (tests wait for it). */
    get ready() {
      return ready();
    },

    /**
     * Hands the last cells of a HASH column over to the worker, if it is ready and the column
     * is large enough: answers `{from, cells, units, finish(out)}` (the first cell handed over,
     * the cells and code units from there on, and the function that waits for the worker and
     * stores its cells in `out`, answering `false` if the worker failed), or `undefined`.
     */
    start(values, lengths, total, maskType, options) {
      const count = lengths.length;
      if (count < MIN_CELLS || !ready()) return undefined;
      if (pending) settle(pending);
      if (broken) return undefined;
      let from = count;
      let units = 0;
      while (from > 0 && units < total * HELPER_SHARE) {
        from -= 1;
        if (lengths[from] !== NULL_CELL) units += lengths[from];
      }
      const cells = count - from;
      const lengthsIn = new Uint32Array(shared("lengths", cells * Uint32Array.BYTES_PER_ELEMENT), 0, cells);
      lengthsIn.set(lengths.subarray(from));
      const hex = shared("hex", cells * HASH_HEX);
      Atomics.store(control, CELLS, 0);
      const job = {
        from,
        cells,
        units,
        lengthsIn,
        hex,
        /** The cells posted so far: the worker masks them whatever happens here. */
        posted: 0,
        finish: (out) => collect(job, out),
      };
      pending = job;
      return post(job, values, lengths, maskType, options) ? job : undefined;
    },
  };
}

/** Whether this thread may block in `Atomics.wait` (it throws where it may not). */
function mayWait() {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}
