// Per-stage cost of decideMany's fast path on the bench scenario (min of N runs per stage):
//   node bench/profile-decide-many.mjs [--requests N] [--runs N]
// encode (JS: shape checks, string ids), wasm (decideManyInterned, the boundary included),
// unpack (JS: decision objects), then the whole call, warm (every string already numbered)
// and cold (a fresh engine: every string crosses once).
import { performance } from "node:perf_hooks";
import { PolicyEngine } from "../dist/node.js";
import { stages } from "../dist/access.js";
import { buildScenario } from "./scenario.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const { config, requests } = buildScenario({ requests: arg("requests", 20_000) });
const runs = arg("runs", 10);
const configText = JSON.stringify(config);
const engine = PolicyEngine.fromConfig(configText);
const n = requests.length;
const time = (label, f, setup = () => {}) => {
  let best = Infinity;
  let result;
  for (let i = 0; i < runs + 1; i++) {
    const input = setup();
    const t0 = performance.now();
    result = f(input);
    const ms = performance.now() - t0;
    if (i > 0) best = Math.min(best, ms);
  }
  console.log(`${label.padEnd(28)} ${((best / n) * 1000).toFixed(3)} µs/request`);
  return result;
};

engine.decideMany(requests); // numbers every string
const state = stages.stateOf(engine);
for (const explain of [true, false]) {
  console.log(`explain: ${explain}`);
  const encoded = time("  encode", () => stages.encode(state, requests));
  const words = encoded.words.slice();
  const known = state.ids.size;
  const answer = time("  wasm", () => engine.decideManyInterned(words, n, known, "", 0, explain));
  time("  unpack", () => stages.unpack(state, answer, n, explain));
  time("  decideMany (warm)", () => engine.decideMany(requests, { explain }));
}
const fresh = [];
time("decideMany (cold engine)", (e) => e.decideMany(requests), () => {
  fresh.forEach((e) => e.free());
  fresh.length = 0;
  const e = PolicyEngine.fromConfig(configText);
  fresh.push(e);
  return e;
});
time("JSON path (text in)", () => engine.decideMany(JSON.stringify(requests)));
console.log(`${n} requests, ${state.ids.size} strings numbered`);
