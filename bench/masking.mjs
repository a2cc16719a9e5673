// Node benchmark of the masks on the release wasm build (BENCHMARKS.md §4).
//   node bench/masking.mjs [--values N] [--runs N] [--ropes] [--only columns|kernel] [--mask NAME]
//
// 1. columns: `maskColumn` as a user calls it, JS included (one thread, as everywhere), on the
//    Node corpus, side by side with plain JS masking value by value in the same process:
//    HASH against `node:crypto` (`createHash("sha256").update(v).digest("hex")`, and the
//    one-shot `crypto.hash("sha256", v, "hex")` where Node has it), SHOW_FIRST_4 / SHOW_LAST_4 /
//    REDACT against the plain JS functions below (Unicode-aware, as the masks are). Each
//    baseline's answer is checked against maskColumn's on the first 10,000 values. The speed-up
//    is the baseline's time over maskColumn's, of the fastest runs and of the medians.
//    ascii: 1,000,000 ASCII values of 4–40 characters;  mixed: 1,000,000 values whose every
//    character is drawn from many scripts;  scripts: the same, but each value in one of those
//    scripts, as in most real columns of names and addresses. Values are flat strings, as
//    JSON.parse, CSV parsers and database drivers hand them over.
//    `--ropes` keeps them as built by `s += c`: V8 then holds each as a tree of ~30 cons strings,
//    which makes reading them about 4x slower and every major GC mark ~30 M objects, so those
//    figures measure the heap more than the masks.
// 2. kernel: the wasm call alone (`columnMask`, the column already in the module's memory, no JS
//    strings) on exactly the corpus of the native criterion bench (crates/core/benches/masking.rs,
//    same SplitMix64 and seeds), for the native vs wasm comparison; then HASH on the non-ASCII
//    corpora of part 1 (column-mixed, column-scripts) and on a column of ASCII names where 5 % of
//    the values have accented letters (column-accents: the column crosses as UTF-16).
// `--mask HASH` (any mask name) runs that mask alone in part 1, back to back on each corpus,
// as an application masking one column after another would; part 2 is unchanged.
// The machine is shared: read min and median together, and compare builds in one run.
import crypto from "node:crypto";
import { performance } from "node:perf_hooks";
import { maskColumn } from "../dist/node.js";
import { columnMask, columnMemory, columnRelease, columnReserve, columnWiden } from "../dist/steward_wasm.js";
import { rng } from "./scenario.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const count = Number(arg("--values", 1_000_000));
const runs = Number(arg("--runs", 5));
const only = arg("--only", undefined);
const ropes = process.argv.includes("--ropes");
const MASKS = ["SHOW_FIRST_4", "SHOW_LAST_4", "REDACT", "HASH", "NULLIFY"];
const oneMask = arg("--mask", undefined);
const columnMasks = oneMask ? [oneMask] : MASKS;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const utf8Bytes = (values) => values.reduce((n, v) => n + (v === null ? 0 : Buffer.byteLength(v)), 0);

// --- 1. maskColumn on the Node corpus, beside plain JS ---

const ALPHABETS = {
  ascii: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 @.-_",
  mixed: "abcXYZ019 éÉçñÅøß αβγΩ Жжд אבג عربي ٠١٢٣ ०१२ 中文字 日本語 한국어 😀👍🏽 e\u0301 ½Ⓐ",
};

function nodeCorpus(kind) {
  const r = rng({ ascii: 7, mixed: 11, scripts: 13 }[kind]);
  // `scripts`: the mixed alphabet's space-separated groups, one per value.
  const pools = kind === "scripts" ? ALPHABETS.mixed.split(" ").map((g) => [...g]) : [[...ALPHABETS[kind]]];
  const values = Array.from({ length: count }, () => {
    const len = 4 + Math.floor(r() * 37);
    const chars = pools.length === 1 ? pools[0] : pools[Math.floor(r() * pools.length)];
    let s = "";
    for (let k = 0; k < len; k++) s += chars[Math.floor(r() * chars.length)];
    return s;
  });
  // Flat strings (JSON.parse builds each one in one piece), unless --ropes.
  return ropes ? values : JSON.parse(JSON.stringify(values));
}

// Plain JS, value by value: what an application would write without this package.
const isHigh = (unit) => unit >= 0xd800 && unit < 0xdc00;
const isLow = (unit) => unit >= 0xdc00 && unit < 0xe000;
/** Characters (code points) in `v` from code unit `from` to `to`. */
function chars(v, from, to) {
  let n = to - from;
  for (let k = from + 1; k < to; k++) if (isLow(v.charCodeAt(k)) && isHigh(v.charCodeAt(k - 1))) n--;
  return n;
}
/** The code unit after the first 4 characters of `v`. */
function after4(v) {
  let at = 0;
  for (let n = 0; n < 4 && at < v.length; n++) at += isHigh(v.charCodeAt(at)) && isLow(v.charCodeAt(at + 1)) ? 2 : 1;
  return at;
}
/** The code unit where the last 4 characters of `v` start. */
function last4(v) {
  let at = v.length;
  for (let n = 0; n < 4 && at > 0; n++) at -= isLow(v.charCodeAt(at - 1)) && isHigh(v.charCodeAt(at - 2)) ? 2 : 1;
  return at;
}
const UPPER = /\p{Lu}/u;
const LOWER = /\p{Ll}/u;
const PLAIN = {
  SHOW_FIRST_4: (v) => {
    if (v === null) return null;
    const end = after4(v);
    return v.slice(0, end) + "X".repeat(chars(v, end, v.length));
  },
  SHOW_LAST_4: (v) => {
    if (v === null) return null;
    const start = last4(v);
    return "X".repeat(chars(v, 0, start)) + v.slice(start);
  },
  // One pass with a replacer: faster here than three `replace` calls, one per class.
  REDACT: (v) => v === null ? null : v.replace(/[\p{Lu}\p{Ll}\p{Nd}]/gu, (c) => (UPPER.test(c) ? "X" : LOWER.test(c) ? "x" : "0")),
};
/** The value-by-value baselines of each mask, by name. */
function baselines(maskType) {
  if (maskType === "HASH") {
    const out = { "node:crypto createHash": (v) => v === null ? null : crypto.createHash("sha256").update(v).digest("hex") };
    if (typeof crypto.hash === "function") out["node:crypto hash"] = (v) => v === null ? null : crypto.hash("sha256", v, "hex");
    return out;
  }
  return PLAIN[maskType] ? { "plain JS": PLAIN[maskType] } : {};
}

async function benchColumns() {
  const rows = [];
  for (const kind of ["ascii", "mixed", "scripts"]) {
    const values = nodeCorpus(kind);
    const bytes = utf8Bytes(values);
    for (const maskType of columnMasks) {
      const others = Object.entries(baselines(maskType));
      // Each baseline's answer must be maskColumn's.
      const sample = values.slice(0, 10_000);
      const expected = maskColumn(sample, maskType);
      const differ = new Set(others.filter(([, f]) => sample.some((v, i) => f(v) !== expected[i])).map(([name]) => name));
      // Each way is timed back to back after an untimed call, as an application masking one
      // column after another would run it (alternating would charge each with the other's
      // garbage collection).
      const time = (f) => {
        f();
        const times = [];
        for (let run = 0; run < runs; run++) {
          const t0 = performance.now();
          const out = f();
          times.push(performance.now() - t0);
          if (out.length !== values.length) throw new Error("lost values");
        }
        return times;
      };
      const times = time(() => maskColumn(values, maskType));
      const otherTimes = others.map(([, f]) => time(() => values.map(f)));
      const ms = median(times);
      rows.push({ kind, maskType, ms, min: Math.min(...times), mbps: bytes / 1e6 / (ms / 1000), mvps: count / 1e6 / (ms / 1000) });
      others.forEach(([name], k) => {
        const other = median(otherTimes[k]);
        const min = Math.min(...otherTimes[k]);
        const ratio = `${(min / Math.min(...times)).toFixed(2)}× / ${(other / ms).toFixed(2)}×`;
        rows.push({ kind, maskType: `${maskType}, ${name}${differ.has(name) ? " (answers differ!)" : ""}`, ms: other, min, mbps: bytes / 1e6 / (other / 1000), mvps: count / 1e6 / (other / 1000), ratio });
      });
    }
  }
  console.log(`maskColumn (wasm + JS, one thread, ${count} ${ropes ? "rope" : "flat"} values per column, ${runs} runs), each followed by value-by-value baselines`);
  console.log("corpus | mask | ms per column (median) | min ms | MB/s (median) | M values/s (median) | maskColumn's speed-up (min / median)");
  for (const r of rows) {
    console.log(`${r.kind} | ${r.maskType} | ${r.ms.toFixed(0)} | ${r.min.toFixed(0)} | ${r.mbps.toFixed(0)} | ${r.mvps.toFixed(2)} | ${r.ratio ?? ""}`);
  }
}

// --- 2. the wasm kernel on the criterion corpus ---

/** `below(n)` of steward_core::seeded::SplitMix64, which crates/core/benches/masking.rs draws with. */
function splitmix64(seed) {
  let s = BigInt(seed);
  const next = () => {
    s = BigInt.asUintN(64, s + 0x9e3779b97f4a7c15n);
    let z = BigInt.asUintN(64, (s ^ (s >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  };
  return (n) => Number(next() % BigInt(n));
}

const ASCII = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .-_@+"];
const SCRIPTS = [
  "ÀÁÂÄÆÇÈÉÊËÌÍÎÏÑÒÓÔÖØÙÚÛÜßàáâäæçèéêëìíîïñòóôöøùúûüÿ",
  "ΑΒΓΔΕΖΗΘαβγδεζηθАБВГДЕЖЗабвгдежз",
  "ابتثجحخد٠١٢٣٤٥٦٧٨٩",
  "東京都港区芝公園中文字漢語日本語あいうえおアイウエオ한국어",
  "😀😃😄👍🏽❤️✨🔥\u200d",
  "e\u0301a\u0308o\u0303",
].map((s) => [...s]);

/** `values(mixed, seed)` of the criterion bench: 1–64 characters; mixed adds scripts and 2% nulls. */
function criterionCorpus(mixed, seed) {
  const below = splitmix64(seed);
  return Array.from({ length: count }, () => {
    if (mixed && below(50) === 0) return null;
    const length = 1 + below(64);
    const pool = !mixed || below(3) === 0 ? ASCII : SCRIPTS[below(SCRIPTS.length)];
    let s = "";
    for (let k = 0; k < length; k++) s += pool[below(pool.length)];
    return s;
  });
}

/** `short_values()` of the criterion bench: 8–16 ASCII characters, for HASH. */
function shortCorpus() {
  const below = splitmix64(0xabcd);
  return Array.from({ length: count }, () => {
    let s = "";
    for (let k = 8 + below(9); k > 0; k--) s += ASCII[below(ASCII.length)];
    return s;
  });
}

/** ASCII values of 4–40 characters, 5 % of them with some accented letters. */
function accentsCorpus() {
  const r = rng(17);
  const ascii = [...ALPHABETS.ascii];
  const accented = [..."éÉçñÅøßüö"];
  return Array.from({ length: count }, () => {
    const len = 4 + Math.floor(r() * 37);
    const accents = r() < 0.05;
    let s = "";
    for (let k = 0; k < len; k++) {
      const pool = accents && r() < 0.2 ? accented : ascii;
      s += pool[Math.floor(r() * pool.length)];
    }
    return s;
  });
}

/** Puts a column into the module's memory as maskColumn does (ASCII as bytes, else UTF-16). */
function loadColumn(values) {
  const lengths = Uint32Array.from(values, (v) => (v === null ? 0xffffffff : v.length));
  const joined = values.join("");
  const [lengthsAt, textAt] = columnReserve(values.length, joined.length);
  const memory = columnMemory();
  new Uint32Array(memory.buffer, lengthsAt, values.length).set(lengths);
  if (/^[\0-\x7f]*$/.test(joined)) {
    new TextEncoder().encodeInto(joined, new Uint8Array(memory.buffer, textAt, joined.length));
  } else {
    const unitsAt = columnWiden(0);
    const units = new Uint16Array(memory.buffer, unitsAt, joined.length);
    for (let i = 0; i < joined.length; i++) units[i] = joined.charCodeAt(i);
  }
}

function benchKernel() {
  const corpora = [
    ["ascii", criterionCorpus(false, 0x5eed), MASKS],
    ["mixed", criterionCorpus(true, 0xfeed), MASKS],
    ["hash-short", shortCorpus(), ["HASH"]],
    // HASH on the maskColumn corpora above, the kernel's part of those calls.
    ["column-mixed", nodeCorpus("mixed"), ["HASH"]],
    ["column-scripts", nodeCorpus("scripts"), ["HASH"]],
    ["column-accents", accentsCorpus(), ["HASH"]],
  ];
  console.log(`wasm kernel (columnMask alone; criterion corpus, then column-*: HASH on maskColumn's; ${count} values, min of ${runs} runs)`);
  console.log("corpus | mask | ms | MiB/s of UTF-8 input | M values/s");
  for (const [kind, values, masks] of corpora) {
    const bytes = utf8Bytes(values);
    for (const maskType of masks) {
      let best = Infinity;
      for (let run = -1; run < runs; run++) {
        loadColumn(values);
        const t0 = performance.now();
        const masked = columnMask(maskType);
        const ms = performance.now() - t0;
        columnRelease();
        if (!masked) throw new Error("columnMask refused the column");
        if (run >= 0) best = Math.min(best, ms);
      }
      console.log(`${kind} | ${maskType} | ${best.toFixed(1)} | ${(bytes / 2 ** 20 / (best / 1000)).toFixed(0)} | ${(count / 1e6 / (best / 1000)).toFixed(2)}`);
    }
  }
}

if (only !== "kernel") await benchColumns();
if (only !== "columns") benchKernel();
