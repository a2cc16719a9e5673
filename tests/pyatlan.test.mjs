// Fidelity: the catalog's own Python SDK (pyatlan) against the sandbox. Optional: runs when
// STEWARD_PYATLAN_PYTHON (or python3) can import pyatlan, e.g.
//   python3 -m venv /tmp/pyatlan && /tmp/pyatlan/bin/pip install pyatlan
//   STEWARD_PYATLAN_PYTHON=/tmp/pyatlan/bin/python node --test tests/pyatlan.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { repoRoot, startServer } from "./helpers/server.mjs";

const python = process.env.STEWARD_PYATLAN_PYTHON ?? "python3";
const available = spawnSync(python, ["-c", "import pyatlan"], { stdio: "ignore" }).status === 0;
const skip = !available && !process.env.STEWARD_PYATLAN_PYTHON && `${python} cannot import pyatlan`;
let server;
let syncServer;

before(async () => {
  if (!available) return;
  server = await startServer(["--sandbox"]);
  // The sync's check gets its own tenant: the first check writes to the demo tables too.
  syncServer = await startServer(["--sandbox"]);
});

after(async () => {
  await server?.stop();
  await syncServer?.stop();
});

// Skipped only when nobody asked for it; scripts/test.sh installs pyatlan and sets the variable.
test("pyatlan searches tags, reads and writes custom metadata against the sandbox", { skip }, () => {
  const run = spawnSync(python, [path.join(repoRoot, "tests/fidelity/pyatlan_check.py"), server.url], { encoding: "utf8", timeout: 120_000 });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /: ok/);
});

test("pyatlan reads the Data Quality custom metadata and the warning announcement a sync wrote", { skip }, async () => {
  const { CatalogClient, runSync } = await import("../dist/node.js");
  const inventory = await (await fetch(`${syncServer.url}/sandbox/inventory`)).json();
  const catalog = new CatalogClient({ baseUrl: syncServer.url, token: "sandbox-integration-token" });
  const report = await runSync({ catalog, inventory, mode: "push", options: { announcements: true } });
  assert.equal(report.counts.errors, 0);

  const sales = inventory.datastores.find((d) => d.name === "SALES_DB.SALES");
  const customers = sales.containers.find((c) => c.name === "CUSTOMERS");
  const firstName = customers.fields.find((f) => f.name === "FIRST_NAME");
  const SALES = "default/snowflake/1700000000/SALES_DB/SALES";
  const metadata = (q) => ({
    "Quality Score": q.score,
    ...Object.fromEntries(Object.entries(q.dimensions ?? {}).map(([k, v]) => [k[0].toUpperCase() + k.slice(1), v])),
    "Check Count": q.checks,
    "Anomaly Count": q.anomalies,
    URL: q.url,
  });
  const warning = (q) => ({ type: "warning", contains: [`${q.anomalies} active`, q.url], updatedBy: "service-account-apikey-integration" });
  assert.ok(customers.quality.anomalies > 0 && firstName.quality.anomalies > 0 && sales.quality.anomalies === 0, "the demo's anomalies");
  const expected = {
    [`${SALES}/CUSTOMERS`]: { type: "Table", metadata: metadata(customers.quality), announcement: warning(customers.quality) },
    [`${SALES}/CUSTOMERS/FIRST_NAME`]: { type: "Column", metadata: metadata(firstName.quality), announcement: warning(firstName.quality) },
    [SALES]: { type: "Schema", metadata: metadata(sales.quality), announcement: null },
    // Someone else's announcement, left as it was.
    [`${SALES}/ORDERS`]: { type: "Table", metadata: {}, announcement: { type: "information", title: "Orders are migrating to the new pipeline", updatedBy: "jane.doe" } },
  };
  const run = spawnSync(python, [path.join(repoRoot, "tests/fidelity/pyatlan_sync_check.py"), syncServer.url, JSON.stringify(expected)], { encoding: "utf8", timeout: 120_000 });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /: ok/);
});
