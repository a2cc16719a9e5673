// maskColumn's path (js/masking.js: the column written into the module's memory, one text
// back) masks exactly as `mask` does value by value, and fails exactly as its cell-by-cell
// fallback does: same error code, same message naming the same element.
//
// Run: `node --test tests/masking.test.mjs` after building dist/ (npm run build).

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

import { mask, maskColumn } from "../dist/node.js";
// The cell-by-cell fallback of the package's maskColumn (dist/node.js has instantiated the
// module by now).
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

/**
 * A column of `count` cells: ASCII cells first and cells over many scripts after (or the other
 * way round with `wideFirst`), with nulls, numbers, bigints and lone surrogates, so the column
 * widens to UTF-16 late (or at its first cell).
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

test("a large column that widens to UTF-16 late or at once masks as mask does", () => {
  for (const wideFirst of [false, true]) {
    const values = largeColumn(100_000, wideFirst);
    for (const [maskType, options] of [["HASH", undefined], ["HASH", KEYED], ["REDACT", undefined], ["SHOW_LAST_4", undefined]]) {
      const expected = values.map((v) => mask(v, maskType, options));
      assert.deepEqual(maskColumn(values, maskType, options), expected, `wide first: ${wideFirst}, ${maskType}${options ? " keyed" : ""}`);
    }
  }
});

test("a cell that changes while it is read takes the cell-by-cell fallback, which masks what it reads", () => {
  // A getter answers a different length each time it is read: the lengths measured first no
  // longer hold when the cell is written, so the column is read again, cell by cell.
  const values = largeColumn(1_000, false);
  const changing = values.slice();
  let reads = 0;
  Object.defineProperty(changing, 900, { get: () => "x".repeat(1 + (reads++ % 2)), enumerable: true });
  const masked = maskColumn(changing, "HASH");
  assert.equal(reads, 3, "measured, written, then read by the fallback");
  assert.deepEqual(masked, [...values.slice(0, 900), "x", ...values.slice(901)].map((v) => mask(v, "HASH")));
});
