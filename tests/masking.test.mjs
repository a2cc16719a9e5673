// maskColumn's fast path (js/masking.js: one text into wasm, one text back) masks exactly as
// `mask` does value by value, and fails exactly as the cell-by-cell path does: same error code,
// same message naming the same element.
//
// Run: `node --test tests/masking.test.mjs` after building dist/ (npm run build).

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

import { mask, maskColumn } from "../dist/node.js";
import { CELLS, FAILED, READY, columnHelper } from "../dist/column-helper.js";
import { setColumnHelper, usedColumnHelper } from "../dist/masking.js";
// The cell-by-cell path, which the package's maskColumn falls back to (dist/node.js has
// instantiated the module by now).
import { maskColumn as maskColumnCells } from "../dist/steward_wasm.js";

const corpus = JSON.parse(readFileSync(new URL("./fixtures/mask-corpus.json", import.meta.url), "utf8"));
const MASKS = ["SHOW_FIRST_4", "SHOW_LAST_4", "HASH", "NULLIFY", "REDACT"];
const KEYED = { key: corpus.hashKey };

/** maskColumn equals `mask` on every value, for every mask, unkeyed and keyed. */
function assertMasksLikeOneByOne(values, label) {
  for (const maskType of MASKS) {
    for (const options of [undefined, KEYED]) {
      const expected = values.map((v) => mask(v, maskType, options));
      const actual = maskColumn(values, maskType, options);
      assert.deepEqual(actual, expected, `${label}: ${maskType}${options ? " keyed" : ""}`);
      assert.deepEqual(maskColumnCells(values, maskType, options), expected, `${label}: cell path ${maskType}`);
    }
  }
}

test("the corpus masks as value-by-value mask does, for every mask", () => {
  assertMasksLikeOneByOne(corpus.values, "corpus");
});

test("an ASCII-only column (the UTF-8 crossing) masks as value-by-value mask does", () => {
  const ascii = corpus.values.filter((v) => v === null || /^[\0-\x7f]*$/.test(v));
  assert.ok(ascii.length > 100);
  assertMasksLikeOneByOne(ascii, "ascii corpus");
});

test("nulls, undefined, numbers, booleans, bigints and empty strings", () => {
  const values = [null, "", undefined, 0, -0, 1.5, NaN, Infinity, -Infinity, 1e21, 0.1 + 0.2, 5e-324,
    123456789, true, false, 12345678901234567890n, -42n, "", "abcd", "abcde", null];
  assertMasksLikeOneByOne(values, "mixed types");
  assertMasksLikeOneByOne(values.filter((v) => typeof v !== "string"), "no strings");
  assert.deepEqual(maskColumn([12345, true, null, undefined], "SHOW_FIRST_4"), ["1234X", "true", null, null]);
});

test("lone surrogates mask as U+FFFD, also where neighbouring cells' halves would pair in a join", () => {
  const values = [
    "\ud800", "a\udc00b", "abc\ud83d", "\udc4dxyz", // ends high + starts low: two cells, two U+FFFD
    "👍", "x👍y", "\ud83d\ud83d\udc4d", "\udc4d\ud83d", "12345\ud800", "\udfff1234",
    "\ud83d", "\udc4d", // the same split again, as whole cells
  ];
  assertMasksLikeOneByOne(values, "lone surrogates");
  assert.deepEqual(maskColumn(["abc\ud83d", "\udc4dxyz"], "REDACT"), ["xxx\ufffd", "\ufffdxxx"]);
  assert.deepEqual(maskColumn(["\ud83d", "\udc4d"], "SHOW_LAST_4"), ["\ufffd", "\ufffd"]);
  // Hashed as the UTF-8 of U+FFFD, as TextEncoder would encode the value.
  assert.deepEqual(maskColumn(["\ud800"], "HASH"), maskColumn(["\ufffd"], "HASH"));
});

test("a leading byte-order mark, NUL and other control characters stay", () => {
  const values = ["\ufeffabc", "\ufeff", "a\0b", "\x01\x02\x03\x04\x05", "\ufeffΣσ", "tab\there", "\r\n"];
  assertMasksLikeOneByOne(values, "controls");
  assert.deepEqual(maskColumn(["\ufeffabc"], "REDACT"), ["\ufeffxxx"]);
  assert.deepEqual(maskColumn(["\ufeffé"], "REDACT"), ["\ufeffx"]);
});

test("columns of 0 and 1 cells, and a sparse array", () => {
  for (const maskType of MASKS) {
    assert.deepEqual(maskColumn([], maskType), []);
    assert.deepEqual(maskColumn(["1234 Street Name"], maskType), [mask("1234 Street Name", maskType)]);
    assert.deepEqual(maskColumn([null], maskType), [null]);
    assert.deepEqual(maskColumn([""], maskType), [mask("", maskType)]);
  }
  // eslint-disable-next-line no-sparse-arrays
  const sparse = [, "abc", , "Déjà"];
  assert.deepEqual(maskColumn(sparse, "REDACT"), [null, "xxx", null, "Xxxx"]);
});

test("catalog mask names take the same path, NULLIFY included", () => {
  const values = ["alice@example.com", null, "Zoë"];
  assert.deepEqual(maskColumn(values, "heka:MASK_NULL"), [null, null, null]);
  assert.deepEqual(maskColumn(values, "MASK_HASH"), maskColumn(values, "HASH"));
  assert.deepEqual(maskColumn(values, "HASH", { key: new TextEncoder().encode("k") }), maskColumn(values, "HASH", { key: "k" }));
});

test("random columns over many scripts mask as value-by-value mask does", () => {
  const pool = [..."aZ09 -@éÉßΣσЖж٣३中😀\u0301\u200d", "\ud800", "\udc00", "\ufeff", "\0"];
  let seed = 1;
  const random = (n) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  for (let round = 0; round < 20; round++) {
    const values = Array.from({ length: 200 }, () => {
      if (random(10) === 0) return null;
      let s = "";
      for (let k = random(12); k > 0; k--) s += pool[random(pool.length)];
      return s;
    });
    assertMasksLikeOneByOne(values, `random round ${round}`);
  }
});

/** The error `f` throws, as {code, message}. */
function thrown(f) {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof Error);
    return { code: e.code, message: e.message };
  }
  assert.fail("expected an error");
}

test("bad cells, columns, masks and options fail as on the cell-by-cell path", () => {
  const cases = [
    [["a", {}, "b"], "REDACT"],
    [["a", null, [1]], "HASH"],
    [[new Date(0)], "SHOW_FIRST_4"],
    [["x", () => 1], "NULLIFY"],
    [["x", "y", Symbol("s")], "REDACT"],
    [[new String("boxed")], "REDACT"],
    [["a", {}], "reed"], // the mask is checked first
    [["a", {}], "HASH", { kee: "typo" }], // then the options
    [["a"], "HASH", { key: "" }],
    [["a"], "HASH", { key: 42 }],
    ["not an array", "REDACT"],
    [{ length: 1, 0: "a" }, "REDACT"],
    [null, "HASH"],
    [undefined, "NULLIFY"],
    [["a"], 7],
  ];
  for (const [index, [values, maskType, options]] of cases.entries()) {
    const expected = thrown(() => maskColumnCells(values, maskType, options));
    assert.deepEqual(thrown(() => maskColumn(values, maskType, options)), expected, `case ${index}`);
  }
  assert.deepEqual(thrown(() => maskColumn(["a", null, 3, {}], "REDACT")), {
    code: "INVALID_VALUE",
    message: "values[3]: expected a string, number, boolean or null, found an object",
  });
});

test("without Node's Buffer (as in browsers), the portable UTF-16 crossing masks the same", () => {
  // A fresh Node with no global Buffer imports the package and masks the random corpus.
  const script = `
    delete globalThis.Buffer;
    const { mask, maskColumn } = await import(${JSON.stringify(new URL("../dist/node.js", import.meta.url).href)});
    const values = JSON.parse(process.argv[1]);
    const bad = [];
    for (const maskType of ["SHOW_FIRST_4", "SHOW_LAST_4", "HASH", "REDACT"]) {
      const expected = values.map((v) => mask(v, maskType));
      const actual = maskColumn(values, maskType);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) bad.push(maskType);
    }
    console.log(JSON.stringify(bad));
  `;
  const values = [...corpus.values, "\ufeffabc", "abc\ud83d", "\udc4dxyz", "\ud800"];
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script, JSON.stringify(values)], { encoding: "utf8" });
  assert.deepEqual(JSON.parse(out), []);
});

// --- the helper thread of large HASH columns (Node; js/column-helper.js) ---

/**
 * A HASH-sized column of `count` cells: ASCII cells first and cells over many scripts after
 * (or the other way round with `wideFirst`), with nulls, numbers, bigints and lone surrogates,
 * so the part this thread masks and the part the helper masks cross differently.
 */
function largeColumn(count, wideFirst) {
  const ascii = [..."abcXYZ019 @.-_"];
  const wide = [..."aZ9 éßΣЖ٣३中😀\u0301", "\ud800", "\udc00"];
  let seed = 7;
  const random = (n) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  return Array.from({ length: count }, (_, i) => {
    const pool = (i < count / 2) !== wideFirst ? ascii : wide;
    switch (random(40)) {
      case 0: return null;
      case 1: return random(100_000) / 7;
      case 2: return BigInt(random(1_000_000));
      default: {
        let s = "";
        for (let k = random(30); k > 0; k--) s += pool[random(pool.length)];
        return s;
      }
    }
  });
}

/** The helper tests need a second core: on one, Node's entry installs no helper (tested here). */
const oneCore = availableParallelism() < 2;
const skipOnOneCore = oneCore ? "one core: maskColumn has no helper thread here" : false;

test("the Node entry installs a helper thread exactly when there is more than one core", () => {
  assert.equal(usedColumnHelper() === undefined, oneCore);
});

/** Polls `done` every 25 ms until it holds, for 10 s at most. */
async function until(done) {
  for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 25));
}

/** Waits until `helper` has started its worker and the worker is ready. */
async function untilReady(helper) {
  await until(() => helper.ready);
  assert.ok(helper.ready, "the helper thread did not start");
}

test("a large HASH column is shared with the helper thread and masks as mask does", { skip: skipOnOneCore }, async () => {
  const helper = usedColumnHelper();
  assert.ok(helper, "the Node entry installs the helper on a machine with more than one core");
  for (const wideFirst of [false, true]) {
    const values = largeColumn(100_000, wideFirst);
    for (const options of [undefined, KEYED]) {
      const expected = values.map((v) => mask(v, "HASH", options));
      maskColumn(values, "HASH", options); // starts the helper on first use
      await untilReady(helper);
      const jobs = helper.jobs;
      assert.deepEqual(maskColumn(values, "HASH", options), expected, `wide first: ${wideFirst}, keyed: ${!!options}`);
      assert.equal(helper.jobs, jobs + 1, "the helper masked part of the column");
    }
  }
  // The buffers the column crossed in are kept for the next one, and let go once idle.
  assert.ok(helper.keptBytes > 100_000 * 64 * 0.4, `kept ${helper.keptBytes} bytes`);
  await new Promise((r) => setTimeout(r, 1_300));
  assert.equal(helper.keptBytes, 0);
});

test("a cell that changes while the helper's part is written leaves the helper ready for the next column", { skip: skipOnOneCore }, async () => {
  const helper = usedColumnHelper();
  const values = largeColumn(100_000, false);
  maskColumn(values, "HASH");
  await untilReady(helper);
  // A getter in the helper's last chunk answers a different length each time it is read: the
  // chunks before it are posted, then the column takes the cell-by-cell path.
  const changing = values.slice();
  let reads = 0;
  Object.defineProperty(changing, 99_000, { get: () => "x".repeat(1 + (reads++ % 2)), enumerable: true });
  const jobs = helper.jobs;
  assert.equal(maskColumn(changing, "HASH").length, changing.length);
  assert.ok(reads >= 2, "the changing cell was read again when written");
  const expected = values.map((v) => mask(v, "HASH"));
  assert.deepEqual(maskColumn(values, "HASH"), expected);
  assert.equal(helper.jobs, jobs + 1, "the chunks posted for the abandoned column were waited for, then the helper took the next");
});

test("a column is masked here when the helper thread fails or never answers", { skip: skipOnOneCore }, async () => {
  const installed = usedColumnHelper();
  const module = new WebAssembly.Module(readFileSync(new URL("../dist/steward_wasm_bg.wasm", import.meta.url)));
  const values = largeColumn(70_000, true);
  const expected = values.map((v) => mask(v, "HASH"));
  try {
    for (const stand in { fails: 0, hangs: 0 }) {
      const helper = columnHelper(module, {
        workerUrl: new URL(`./helpers/column-worker-${stand}.mjs`, import.meta.url),
        timeoutMs: 300,
      });
      setColumnHelper(helper);
      maskColumn(values, "HASH");
      await untilReady(helper);
      assert.deepEqual(maskColumn(values, "HASH"), expected, `a helper that ${stand}`);
      assert.equal(helper.jobs, 0);
      assert.equal(helper.ready, false, `a helper that ${stand} is not used again`);
      // The next column is right too (the failed job was collected, not left in flight).
      assert.deepEqual(maskColumn(values.slice(1), "HASH"), expected.slice(1), `after a helper that ${stand}`);
    }
  } finally {
    setColumnHelper(installed);
  }
});

test("the helper's worker keeps a job FAILED once one of its chunks failed", async () => {
  const module = new WebAssembly.Module(readFileSync(new URL("../dist/steward_wasm_bg.wasm", import.meta.url)));
  const control = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  const worker = new Worker(new URL("../dist/column-worker.js", import.meta.url), { workerData: { module, control } });
  /** Waits until the worker has set `CELLS` to `value`. */
  const cellsBecome = async (value) => {
    await until(() => Atomics.load(control, CELLS) === value);
    assert.equal(Atomics.load(control, CELLS), value);
  };
  try {
    await until(() => Atomics.load(control, READY) === 1);
    // Three one-character cells, "a", "b", "c", posted as three chunks of one job.
    const lengths = new Uint32Array(new SharedArrayBuffer(3 * Uint32Array.BYTES_PER_ELEMENT));
    lengths.set([1, 1, 1]);
    const text = new SharedArrayBuffer(3);
    new Uint8Array(text).set([0x61, 0x62, 0x63]);
    const hex = new SharedArrayBuffer(3 * 64);
    const chunk = (first, maskType) => ({ first, last: first + 1, unitsAt: first, units: 1, lengths: lengths.buffer, wide: false, text, hex, maskType });
    worker.postMessage(chunk(0, "HASH"));
    await cellsBecome(1);
    worker.postMessage(chunk(1, "NO_SUCH_MASK")); // wasm throws: the job fails
    await cellsBecome(FAILED);
    worker.postMessage(chunk(2, "HASH")); // must be skipped, not reported as done
    lengths[0] = 1;
    worker.postMessage(chunk(0, "HASH")); // a new job: the worker answers again
    await cellsBecome(1);
    assert.deepEqual([...lengths], [64, 1, 1], "the failed job's last chunk was not masked");
    assert.ok(new Uint8Array(hex, 64).every((b) => b === 0), "nor was its hex written");
    assert.equal(Buffer.from(hex, 0, 64).toString("latin1"), mask("a", "HASH"));
  } finally {
    await worker.terminate();
  }
});
