// Node benchmark of the access engine on the release wasm build, side by side with Cedar.
//   node bench/access.mjs [--requests N] [--cedar-requests N]
// Scenario (issue 3): 1,000 personas + purposes × 10 policies, 10,000 users, requests over
// 100,000 distinct assets with 0–3 tags. Steward decides every request through `decideMany`
// (the JS boundary crossed once per batch); Cedar (stateful API: policies parsed once) decides
// a sample of the same requests, and every decision both made must agree.
import { performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { PolicyEngine } from "../dist/node.js";
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { buildScenario } from "./scenario.mjs";
import { toCedar } from "./cedar.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const requestsWanted = arg("requests", 100_000);
const cedarWanted = arg("cedar-requests", 1_000);

const { config, requests } = buildScenario({ requests: requestsWanted });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Steward: compile once, then decide in batches.
const configText = JSON.stringify(config);
const compileRuns = [];
let engine;
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  engine?.free?.();
  engine = PolicyEngine.fromConfig(configText);
  compileRuns.push(performance.now() - t0);
}
// Batches are cut outside the timer: only decideMany is measured. The first pass over a fresh
// engine is "cold" (every distinct string crosses into wasm once); later passes are "warm".
const batchSize = 10_000;
const batches = [];
for (let i = 0; i < requests.length; i += batchSize) batches.push(requests.slice(i, i + batchSize));
// The answers stay per batch while timed: joining them (`flat()` costs ~0.1 µs a decision) is
// the bench's work, not decideMany's, and happens once at the end.
const decideAll = () => {
  const out = new Array(batches.length);
  for (let b = 0; b < batches.length; b++) out[b] = engine.decideMany(batches[b]);
  return out;
};
engine.free?.();
engine = PolicyEngine.fromConfig(configText);
let c1 = performance.now();
let answers = decideAll();
const coldMs = performance.now() - c1;
// Warm-up passes (untimed), so the figures are of JIT-compiled code, as in a long-lived process.
for (let run = 0; run < 3; run++) answers = decideAll();
const runs = [];
for (let run = 0; run < 7; run++) {
  const t0 = performance.now();
  answers = decideAll();
  runs.push(performance.now() - t0);
}
const decisions = answers.flat();
const stewardPerDecisionUs = (median(runs) * 1000) / requests.length;

// Cedar: the same config as Cedar policies, parsed once (statefulIsAuthorized).
const translated = toCedar(config);
const t0 = performance.now();
const parsed = cedar.preparsePolicySet("steward-bench", { staticPolicies: translated.policyText });
const cedarParseMs = performance.now() - t0;
if (parsed.type !== "success") throw new Error(`cedar rejected the translated policies: ${JSON.stringify(parsed.errors[0])}`);
const sample = requests.slice(0, cedarWanted);
const calls = sample.map((req) => ({
  principal: { type: "User", id: req.user },
  action: { type: "Action", id: req.action },
  resource: { type: "Asset", id: req.asset.qualifiedName },
  context: {},
  preparsedPolicySetId: "steward-bench",
  entities: translated.entitiesFor(req),
}));
const c0 = performance.now();
const cedarAnswers = calls.map((call) => cedar.statefulIsAuthorized(call));
const cedarMs = performance.now() - c0;
const cedarPerDecisionUs = (cedarMs * 1000) / sample.length;

let disagreements = 0;
sample.forEach((req, i) => {
  const answer = cedarAnswers[i];
  if (answer.type !== "success") throw new Error(`cedar failed on request ${i}: ${JSON.stringify(answer.errors[0])}`);
  const cedarAllowed = answer.response.decision === "allow";
  if (cedarAllowed !== decisions[i].allowed) {
    disagreements++;
    if (disagreements <= 5) console.error("disagreement", JSON.stringify(req), JSON.stringify(decisions[i]), answer.response.decision);
  }
});

const require = createRequire(import.meta.url);
const cedarWasm = readFileSync(require.resolve("@cedar-policy/cedar-wasm/nodejs").replace(/cedar_wasm\.js$/, "cedar_wasm_bg.wasm"));
const ourWasm = readFileSync(new URL("../dist/steward_wasm_bg.wasm", import.meta.url));
const allowed = decisions.filter((d) => d.allowed).length;

console.log(`access bench: ${config.personas.length} personas + ${config.purposes.length} purposes × 10 policies, ${config.users.length} users, ${requests.length} requests (${allowed} allowed)`);
console.log(`steward compile (fromConfig, JSON text): median ${median(compileRuns).toFixed(1)} ms`);
console.log(`steward decideMany, cold engine: ${coldMs.toFixed(1)} ms for ${requests.length} → ${((coldMs * 1000) / requests.length).toFixed(3)} µs/decision`);
console.log(`steward decideMany, warm: median of 7 ${median(runs).toFixed(1)} ms for ${requests.length} → ${stewardPerDecisionUs.toFixed(3)} µs/decision, min ${((Math.min(...runs) * 1000) / requests.length).toFixed(3)} µs (batches of ${batchSize}, after 3 untimed passes)`);
console.log(`cedar preparse: ${cedarParseMs.toFixed(0)} ms for ${translated.policyCount} policies`);
console.log(`cedar statefulIsAuthorized: ${cedarMs.toFixed(0)} ms for ${sample.length} → ${cedarPerDecisionUs.toFixed(1)} µs/decision`);
console.log(`ratio cedar/steward per decision: ${(cedarPerDecisionUs / stewardPerDecisionUs).toFixed(0)}×`);
console.log(`agreement: ${sample.length - disagreements}/${sample.length} decisions agree`);
console.log(`module size gzip: steward ${gzipSync(ourWasm, { level: 9 }).length} B, cedar ${gzipSync(cedarWasm, { level: 9 }).length} B`);
if (disagreements > 0) process.exit(1);
