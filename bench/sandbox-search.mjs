// Index searches per second against the sandbox catalog on loopback, with the demo data and the
// integration token (so every hit is authorised). Target: ≥ 2,000 searches/s.
//
//   cargo build --release -p steward-server && node bench/sandbox-search.mjs [seconds] [concurrency]
//
// The mix is what a sync sends: a page of a schema's columns (size 100, custom-metadata
// attributes requested), a `terms qualifiedName` existence check of 20 tables, and a tag search.
import { existsSync } from "node:fs";
import http from "node:http";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const seconds = Number(process.argv[2] ?? 10);
const concurrency = Number(process.argv[3] ?? 16);
const bin = process.env.STEWARD_SERVER_BIN ?? path.join(repoRoot, "target/release/steward-server");
if (!existsSync(bin)) {
  console.error("building the release server (cargo build --release -p steward-server) …");
  const built = spawnSync("cargo", ["build", "--release", "-p", "steward-server"], { cwd: repoRoot, stdio: "inherit" });
  if (built.status !== 0) process.exit(1);
}
// The helper reads the binary's path when it is imported.
process.env.STEWARD_SERVER_BIN = bin;
const { startServer } = await import("../tests/helpers/server.mjs");

const server = await startServer(["--sandbox"]);
const token = "sandbox-integration-token";
const connection = "default/snowflake/1700000000";
const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };

async function post(pathname, body) {
  const response = await fetch(`${server.url}${pathname}`, { method: "POST", headers, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${pathname}: ${response.status} ${await response.text()}`);
  return response.json();
}

// Ids of the Data Quality attributes, as a sync requests them.
const defs = await (await fetch(`${server.url}/api/meta/types/typedefs?type=business_metadata`, { headers })).json();
const quality = defs.businessMetadataDefs.find((s) => s.displayName === "Data Quality");
const cmAttributes = quality.attributeDefs.filter((a) => a.options?.isArchived !== "true").map((a) => `${quality.name}.${a.name}`);

const tables = await post("/api/meta/search/indexsearch", {
  dsl: { from: 0, size: 200, query: { bool: { filter: [{ term: { "__typeName.keyword": "Table" } }, { term: { connectionQualifiedName: connection } }] } } },
  attributes: ["name"],
});
const tableNames = tables.entities.map((e) => e.attributes.qualifiedName);
const schemas = [...new Set(tableNames.map((qn) => qn.split("/").slice(0, 5).join("/")))];

const mix = [
  (i) => ({
    dsl: { from: 0, size: 100, sort: [{ __guid: { order: "asc" } }], track_total_hits: true,
      query: { bool: { filter: [{ term: { "__typeName.keyword": "Column" } }, { term: { schemaQualifiedName: schemas[i % schemas.length] } }, { term: { __state: "ACTIVE" } }] } } },
    attributes: ["name", "qualifiedName", "tableQualifiedName", ...cmAttributes],
  }),
  (i) => ({
    dsl: { from: 0, size: 20, sort: [{ __guid: { order: "asc" } }],
      query: { bool: { filter: [{ terms: { qualifiedName: tableNames.slice((i * 20) % tableNames.length, ((i * 20) % tableNames.length) + 20) } }] } } },
    attributes: ["name", "announcementType", "announcementUpdatedBy", ...cmAttributes],
  }),
  () => ({
    dsl: { from: 0, size: 50, sort: [{ __guid: { order: "asc" } }],
      query: { bool: { filter: [{ terms: { __traitNames: ["cTrLMeBjKNeRV7HzBSL11u"] } }, { prefix: { qualifiedName: `${connection}/SALES_DB/` } }] } } },
    attributes: ["name"],
  }),
];

// The load generator must cost less than the server it measures (both share 2 cores here):
// plain http with keep-alive, bodies prepared once, answers drained and parsed one in 50.
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const { hostname, port } = new URL(server.url);
const bodies = Array.from({ length: 300 }, (_, i) => JSON.stringify(mix[i % mix.length](i)));

function search(body, parse) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { agent, hostname, port, method: "POST", path: "/api/meta/search/indexsearch",
        headers: { ...headers, "content-length": Buffer.byteLength(body) } },
      (response) => {
        const chunks = [];
        response.on("data", (chunk) => parse && chunks.push(chunk));
        response.on("end", () => {
          if (response.statusCode !== 200) return reject(new Error(`search answered ${response.statusCode}`));
          resolve(parse ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : null);
        });
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

let done = 0;
let checked = 0;
let hits = 0;
const deadline = Date.now() + seconds * 1000;
async function worker(id) {
  let i = id;
  while (Date.now() < deadline) {
    const parse = i % 50 === 0;
    const answer = await search(bodies[i % bodies.length], parse);
    if (parse) {
      checked += 1;
      hits += answer.entities?.length ?? 0;
    }
    done += 1;
    i += concurrency;
  }
}
const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, (_, id) => worker(id)));
const elapsed = (performance.now() - started) / 1000;
await server.stop();
const perSecond = done / elapsed;
console.log(`sandbox index search: ${done} searches in ${elapsed.toFixed(1)} s with ${concurrency} concurrent clients = ${Math.round(perSecond)} searches/s (${(hits / Math.max(checked, 1)).toFixed(1)} hits per checked search)`);
if (perSecond < 2000) {
  console.log("below the target of 2,000 searches/s");
  process.exitCode = 1;
}
