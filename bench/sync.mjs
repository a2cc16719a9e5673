// The first sync and the no-op resync of a large tenant, Steward against what a user would
// script with the catalog's own SDK (issue 14; BENCHMARKS.md §5).
//
//   cargo build --release -p steward-server && npm run build
//   node bench/sync.mjs [--scale N] [--pyatlan] [--budget]
//
// (STEWARD_DIST=folder runs another build of the package; STEWARD_SERVER_BIN another server.)
//
// A fresh sandbox at `--demo-scale N` (default 10000: ~8,300 tables and views, ~64,000 columns,
// ~72,000 mapped assets), its `/sandbox/inventory` pushed with `runSync({mode: "push"})` from
// dist/ with no request budget, twice: the first sync (almost every asset written) and the resync
// right after (nothing to write). Each run is a new Node process, as a scheduled `steward sync`
// is: the time counted is the `runSync` call, from the inventory given to the report returned.
// For each: seconds, requests by kind, and where the time went — the phases as `onProgress`
// reports them, the time at least one request was in flight (the server answering, until the
// headers; the sandbox sends the whole body at once), and the CPU seconds of the run's process
// and of the server.
//
// `--budget` also runs the first sync at the default budget (1,800 requests a minute, what a real
// tenant allows a client); without it the bench prints what the budget implies (request starts
// are spaced 1/30 s apart, so a run takes at least requests / 30 seconds).
// `--pyatlan` runs bench/pyatlan_push.py (the same push with pyatlan: a search per query paged by
// the SDK, a diff per asset, a `Batch` of 20) on the demo data again, first and no-op, with
// target/pyatlan-venv/bin/python (`scripts/setup.sh --pyatlan`), then checks with a dry run that
// Steward would write nothing after it.
//
// Between runs the tenant is reset by `POST /sandbox/reset` when the server has it, else the
// server is restarted. Runs share the machine with anything else on it: compare within one run.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startServer as startSandbox } from "../tests/helpers/server.mjs";

const script = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(path.dirname(script), "..");
const { values: flags } = parseArgs({
  options: {
    scale: { type: "string", default: "10000" },
    pyatlan: { type: "boolean", default: false },
    budget: { type: "boolean", default: false },
    // One run in this process (the bench starts itself with these for each Steward run).
    one: { type: "string" },
    inventory: { type: "string" },
    rpm: { type: "string", default: "0" },
    "dry-run": { type: "boolean", default: false },
  },
});
const TOKEN = "sandbox-integration-token";
const BUDGET = 1800;
const dist = process.env.STEWARD_DIST ?? path.join(repoRoot, "dist");

if (flags.one) {
  console.log(JSON.stringify(await runOne(flags.one, flags.inventory, Number(flags.rpm), flags["dry-run"])));
  process.exit(0);
}

/** One `runSync` push in this process, measured; the report's figures as JSON. */
async function runOne(url, inventoryFile, requestsPerMinute, dryRun) {
  // Every request the module sends goes through the global fetch: time each one to its
  // headers and keep the union of the in-flight spans.
  const network = { busyMs: 0, inFlight: 0, since: 0, sumMs: 0 };
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (...args) => {
    const start = performance.now();
    if (network.inFlight++ === 0) network.since = start;
    try {
      return await realFetch(...args);
    } finally {
      const end = performance.now();
      network.sumMs += end - start;
      if (--network.inFlight === 0) network.busyMs += end - network.since;
    }
  };
  const steward = await import(path.join(dist, "node.js"));
  const inventory = readFileSync(inventoryFile, "utf8");
  const catalog = new steward.CatalogClient({ baseUrl: url, token: TOKEN });
  const phases = {};
  let phase = null;
  const onProgress = (p) => {
    const now = performance.now();
    if (p.phase !== phase) {
      if (phase) phases[phase].end = now;
      phase = p.phase;
      phases[phase] ??= { start: now };
    }
  };
  const cpu = process.cpuUsage();
  const start = performance.now();
  const report = await steward.runSync({ catalog, inventory, mode: "push", options: { requestsPerMinute, dryRun }, onProgress });
  const end = performance.now();
  const used = process.cpuUsage(cpu);
  if (report.counts.errors) throw new Error(`the sync reported ${report.counts.errors} errors`);
  // `start`: until the first event (reading the inventory); `typedefs`: until the schema search
  // has answered; `search`: the pages of tables, views and columns; `map`: the mapping and the
  // plan; `push`: the writes; `report`: from the last event to the report in JS.
  phases.start = { start, end: phases.typedefs?.start };
  phases.report = phases.done;
  const ms = (name) => (phases[name] ? (phases[name].end ?? end) - phases[name].start : 0);
  return {
    seconds: (end - start) / 1000,
    requests: report.requests,
    counts: report.counts,
    assetsWritten: report.plannedWrites.length,
    profile: {
      phases: Object.fromEntries(["start", "typedefs", "search", "map", "push", "report"].map((p) => [p, ms(p) / 1000])),
      inFlight: network.busyMs / 1000,
      requestSum: network.sumMs / 1000,
      clientCpu: (used.user + used.system) / 1e6,
    },
  };
}

const scale = Number(flags.scale);
const bin = process.env.STEWARD_SERVER_BIN ?? path.join(repoRoot, "target/release/steward-server");
const python = path.join(repoRoot, "target/pyatlan-venv/bin/python");
for (const [file, how] of [[bin, "cargo build --release -p steward-server"], [path.join(dist, "node.js"), "npm run build"]]) {
  if (!existsSync(file)) {
    console.error(`bench/sync.mjs: ${path.relative(repoRoot, file)} is missing; run ${how}`);
    process.exit(1);
  }
}
if (flags.pyatlan && !existsSync(python)) {
  console.error("bench/sync.mjs: --pyatlan needs target/pyatlan-venv (bash scripts/setup.sh --pyatlan)");
  process.exit(1);
}

/** The server's CPU seconds so far (user + system, from /proc). */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** A fresh sandbox at the bench's scale: `{url, pid, stop, startSeconds}`. */
async function startServer() {
  const started = performance.now();
  const server = await startSandbox(["--sandbox", "--demo-scale", String(scale)], { startupMs: 120_000, bin });
  return { ...server, startSeconds: (performance.now() - started) / 1000 };
}

/** The tenant back to the demo data: `POST /sandbox/reset`, or a new server where there is none. */
async function fresh(server) {
  if (server) {
    const answer = await fetch(`${server.url}/sandbox/reset`, { method: "POST" }).catch(() => null);
    if (answer?.ok) return server;
    await server.stop();
  }
  return startServer();
}

/** Runs `command args` to completion and measures it from outside: its last line as JSON. */
function measured(server, command, args) {
  const serverCpu = cpuSeconds(server.pid);
  const start = performance.now();
  const run = spawnSync(command, args, { encoding: "utf8", maxBuffer: 1 << 26 });
  const wallMs = performance.now() - start;
  if (run.status !== 0) throw new Error(`${path.basename(args[0])} failed:\n${run.stderr}`);
  const out = JSON.parse(run.stdout.trim().split("\n").pop());
  return { out, withStart: wallMs / 1000, serverCpu: cpuSeconds(server.pid) - serverCpu };
}

function steward(server, inventoryFile, requestsPerMinute, dryRun = false) {
  const args = [script, "--one", server.url, "--inventory", inventoryFile, "--rpm", String(requestsPerMinute)];
  const { out, withStart, serverCpu } = measured(server, process.execPath, dryRun ? [...args, "--dry-run"] : args);
  return { ...out, profile: { ...out.profile, withStart, serverCpu } };
}

function pyatlan(server, inventoryFile) {
  const { out, withStart, serverCpu } = measured(server, python, [path.join(repoRoot, "bench/pyatlan_push.py"), server.url, TOKEN, inventoryFile]);
  return {
    seconds: out.seconds,
    requests: { searches: out.searches, reads: out.reads, writes: out.writes },
    counts: { mapped: out.mapped, changed: out.changed },
    profile: { withStart, clientCpu: out.cpu, serverCpu },
  };
}

const total = (q) => q.searches + q.reads + q.writes;

function print(label, r) {
  const q = r.requests;
  const pad = "".padEnd(34);
  console.log(`${label.padEnd(34)} ${r.seconds.toFixed(1).padStart(6)} s   ${String(total(q)).padStart(5)} requests (${q.searches} searches, ${q.reads} reads, ${q.writes} writes)`);
  const c = r.counts;
  const p = r.profile;
  if ("metadataWritten" in c) {
    console.log(`${pad} mapped ${c.mapped}, metadata written ${c.metadataWritten}, unchanged ${c.metadataUnchanged}, announcements set ${c.announcementsSet}, cleared ${c.announcementsCleared}`);
    const phases = Object.entries(p.phases).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ");
    console.log(`${pad} phases (s): ${phases}; requests in flight ${p.inFlight.toFixed(1)} s (summed over requests ${p.requestSum.toFixed(1)} s)`);
    console.log(`${pad} CPU: the run's process ${p.clientCpu.toFixed(1)} s, server ${p.serverCpu.toFixed(1)} s; ${p.withStart.toFixed(1)} s with Node's start`);
  } else {
    console.log(`${pad} mapped ${c.mapped}, written ${c.changed}`);
    console.log(`${pad} CPU: Python ${p.clientCpu.toFixed(1)} s (its import included), server ${p.serverCpu.toFixed(1)} s; ${p.withStart.toFixed(1)} s with Python's start and pyatlan's import`);
  }
}

const wasm = path.join(dist, "steward_wasm_bg.wasm");
const gzipped = spawnSync("gzip", ["-9", "-c", wasm], { maxBuffer: 1 << 26 }).stdout.length;
console.log(`=== sync: push of a --demo-scale ${scale} tenant (module ${statSync(wasm).size} B raw, ${gzipped} B gzip -9) ===`);

const work = mkdtempSync(path.join(tmpdir(), "steward-sync-bench-"));
let server = null;
try {
  server = await fresh(null);
  const answer = await fetch(`${server.url}/sandbox/inventory`);
  if (!answer.ok) throw new Error(`GET /sandbox/inventory answered ${answer.status}`);
  const inventory = await answer.text();
  const inventoryFile = path.join(work, "inventory.json");
  writeFileSync(inventoryFile, inventory);
  const parsed = JSON.parse(inventory);
  const containers = parsed.datastores.flatMap((d) => d.containers ?? []);
  const fields = containers.reduce((n, c) => n + (c.fields?.length ?? 0), 0);
  console.log(`inventory: ${parsed.datastores.length} datastores, ${containers.length} tables and views, ${fields} columns (${inventory.length} B); server up in ${server.startSeconds.toFixed(1)} s`);

  const first = steward(server, inventoryFile, 0);
  print("Steward first sync (no budget)", first);
  const resync = steward(server, inventoryFile, 0);
  print("Steward no-op resync (no budget)", resync);
  if (resync.requests.writes !== 0) console.log(`!! the resync wrote ${resync.requests.writes} batches`);
  // The floor: the schema search, then pages of 300 over the mapped assets (the search also
  // returns the catalog's unmapped ones in those schemas), and batches of 20 over the assets written.
  console.log(`floor: ~${1 + Math.ceil(first.counts.mapped / 300)} searches (1 + ⌈${first.counts.mapped} / 300⌉), ` +
    `${Math.ceil(first.assetsWritten / 20)} writes (⌈${first.assetsWritten} assets written / 20⌉)`);
  for (const [label, r] of [["first sync", first], ["resync", resync]]) {
    const n = total(r.requests);
    console.log(`at ${BUDGET} requests/minute (computed): the ${label} takes at least ${((n - 1) * 60 / BUDGET).toFixed(1)} s (${n} requests, one start every ${(60_000 / BUDGET).toFixed(1)} ms)`);
  }
  if (flags.budget) {
    server = await fresh(server);
    print(`Steward first sync (${BUDGET}/min)`, steward(server, inventoryFile, BUDGET));
  }

  if (flags.pyatlan) {
    server = await fresh(server);
    const pyFirst = pyatlan(server, inventoryFile);
    print("pyatlan first sync", pyFirst);
    const pyResync = pyatlan(server, inventoryFile);
    print("pyatlan no-op resync", pyResync);
    // Both must leave the catalog alike: Steward, dry, finds nothing to write after pyatlan.
    const check = steward(server, inventoryFile, 0, true);
    console.log(`check: after pyatlan, a Steward dry run plans ${check.assetsWritten} writes (0: both pushed the same values)`);
    console.log(`ratio pyatlan / Steward: first sync ${(pyFirst.seconds / first.seconds).toFixed(1)}×, resync ${(pyResync.seconds / resync.seconds).toFixed(1)}×`);
  }
} finally {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
}
