// Node benchmark of the masks on the release wasm build, through maskColumn (one JS boundary
// crossing per column). Same corpus shapes as crates/core/benches/masking.rs:
//   ascii: 1,000,000 ASCII values of 4–40 characters;  mixed: 1,000,000 values over many scripts.
//   node bench/masking.mjs [--values N] [--runs N] [--ropes]
// Values are flat strings, as JSON.parse, CSV parsers and database drivers hand them over.
// `--ropes` keeps them as built by `s += c`: V8 then holds each as a tree of ~30 cons strings,
// which makes `join` about 4x slower and every major GC mark ~30 M objects, so those figures
// measure the heap more than the masks. The machine is shared: read min and median together.
import { performance } from "node:perf_hooks";
import { maskColumn } from "../dist/node.js";
import { rng } from "./scenario.mjs";

const i = process.argv.indexOf("--values");
const count = i > 0 ? Number(process.argv[i + 1]) : 1_000_000;
const r = process.argv.indexOf("--runs");
const runs = r > 0 ? Number(process.argv[r + 1]) : 5;
const ropes = process.argv.includes("--ropes");

const ALPHABETS = {
  ascii: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 @.-_",
  mixed: "abcXYZ019 éÉçñÅøß αβγΩ Жжд אבג عربي ٠١٢٣ ०१२ 中文字 日本語 한국어 😀👍🏽 e\u0301 ½Ⓐ",
};

function corpus(kind) {
  const r = rng(kind === "ascii" ? 7 : 11);
  const chars = [...ALPHABETS[kind]];
  return Array.from({ length: count }, () => {
    const len = 4 + Math.floor(r() * 37);
    let s = "";
    for (let k = 0; k < len; k++) s += chars[Math.floor(r() * chars.length)];
    return s;
  });
}

/** The corpus as flat strings (JSON.parse builds each one in one piece), unless --ropes. */
const shaped = (values) => (ropes ? values : JSON.parse(JSON.stringify(values)));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
for (const kind of ["ascii", "mixed"]) {
  const values = shaped(corpus(kind));
  const bytes = values.reduce((n, v) => n + Buffer.byteLength(v), 0);
  for (const maskType of ["SHOW_FIRST_4", "SHOW_LAST_4", "REDACT", "HASH", "NULLIFY"]) {
    maskColumn(values.slice(0, 10_000), maskType); // warm up
    const times = [];
    for (let run = 0; run < runs; run++) {
      const t0 = performance.now();
      const out = maskColumn(values, maskType);
      times.push(performance.now() - t0);
      if (out.length !== values.length) throw new Error("maskColumn lost values");
    }
    const ms = median(times);
    const min = Math.min(...times);
    rows.push({ kind, maskType, ms, min, mbps: bytes / 1e6 / (ms / 1000), mvps: count / 1e6 / (ms / 1000) });
  }
}
console.log(`masking bench (wasm through maskColumn, ${count} ${ropes ? "rope" : "flat"} values per column, ${runs} runs)`);
console.log("corpus | mask | ms per column (median) | min ms | MB/s (median) | M values/s (median)");
for (const r of rows) console.log(`${r.kind} | ${r.maskType} | ${r.ms.toFixed(0)} | ${r.min.toFixed(0)} | ${r.mbps.toFixed(0)} | ${r.mvps.toFixed(2)}`);
