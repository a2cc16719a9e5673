// The sync (SPEC §5, §9 runSync / preflight / setupIntegration) through the package as a
// consumer installs it (packed tarball → temp folder → resolved by name), against real sandbox
// tenants. Scenarios that change the catalog get a fresh server each; the demo server shared by
// the read-only ones is never written to.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { rmSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { startServer } from "./helpers/server.mjs";
import { installPackedPackage } from "./helpers/consumer.mjs";

const ADMIN = "sandbox-admin-token";
const INTEGRATION = "sandbox-integration-token";
const GUEST = "sandbox-guest-token";
const RESTRICTED = "sandbox-restricted-token";
const UNCONFIGURED = "sandbox-unconfigured-token";
const SNOWFLAKE = "default/snowflake/1700000000";
const SALES = `${SNOWFLAKE}/SALES_DB/SALES`;
const FAULTS = "rate=0.2; kinds=429,500,503,drop; seed=7; retry-after=0";

let steward;
let consumer;
let demo;
const servers = [];

before(async () => {
  consumer = installPackedPackage("steward-sync-");
  // Resolved by name from the consumer folder, so the package's exports map picks the entry.
  const entry = createRequire(path.join(consumer, "package.json")).resolve("steward");
  steward = await import(pathToFileURL(entry).href);
  demo = await sandbox();
});

after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  if (consumer) rmSync(consumer, { recursive: true, force: true });
});

/** A fresh sandbox tenant with the demo data, stopped after the file. */
async function sandbox(extra = [], options) {
  const server = await startServer(["--sandbox", ...extra], options);
  servers.push(server);
  return server;
}

async function inventoryOf(server) {
  const response = await fetch(`${server.url}/sandbox/inventory`);
  assert.equal(response.status, 200);
  return response.json();
}

const client = (server, token = INTEGRATION, retry) => new steward.CatalogClient({ baseUrl: server.url, token, ...(retry ? { retry } : {}) });

async function sync(server, { token = INTEGRATION, inventory, mode = "both", options, onProgress, signal } = {}) {
  return steward.runSync({ catalog: client(server, token), inventory: inventory ?? (await inventoryOf(server)), mode, options, onProgress, signal });
}

/** The catalog's own view of one asset, read with the admin token. */
async function entity(server, typeName, qualifiedName) {
  const url = `${server.url}/api/meta/entity/uniqueAttribute/type/${typeName}?attr:qualifiedName=${encodeURIComponent(qualifiedName)}`;
  const response = await fetch(url, { headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(response.status, 200, `GET ${typeName} ${qualifiedName}`);
  return (await response.json()).entity;
}

/** A bulk tag change made by a person in the catalog (admin token). */
async function changeTags(server, entities) {
  const response = await fetch(`${server.url}/api/meta/entity/bulk?appendTags=true&replaceTags=false`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: JSON.stringify({ entities }),
  });
  assert.equal(response.status, 200, await response.text());
}

async function tagId(server, displayName) {
  const defs = await client(server, ADMIN).typedefs();
  const def = defs.classificationDefs.find((d) => d.displayName === displayName);
  assert.ok(def, `tag ${displayName} exists`);
  return def.name;
}

/** The `Data Quality` set: its id and attribute display names by id (archived ones left out). */
async function qualitySet(server) {
  const defs = await client(server, ADMIN).typedefs();
  const set = defs.businessMetadataDefs.find((d) => d.displayName === "Data Quality");
  assert.ok(set, "the Data Quality set exists");
  const names = Object.fromEntries(set.attributeDefs.filter((a) => a.options?.isArchived !== "true").map((a) => [a.name, a.displayName]));
  return { id: set.name, names };
}

/** An asset's `Data Quality` values by display name, from a `businessAttributes` map. */
function qualityValues(set, businessAttributes) {
  const values = businessAttributes?.[set.id] ?? {};
  return Object.fromEntries(Object.entries(values).filter(([id, v]) => id in set.names && v !== null).map(([id, v]) => [set.names[id], v]));
}

/** What the sync should hold in the catalog for local quality results, by display name. */
function expectedValues(quality) {
  const out = {};
  if (quality.score !== undefined) out["Quality Score"] = quality.score;
  for (const [dimension, value] of Object.entries(quality.dimensions ?? {})) {
    if (value !== undefined && value !== null) out[dimension[0].toUpperCase() + dimension.slice(1)] = value;
  }
  if (quality.checks !== undefined) out["Check Count"] = quality.checks;
  if (quality.anomalies !== undefined) out["Anomaly Count"] = quality.anomalies;
  if (quality.url !== undefined) out.URL = quality.url;
  return out;
}

/**
 * The catalog's state a sync is responsible for, read back through search (admin token):
 * each active asset of the Snowflake connection → its `Data Quality` values and announcement.
 */
async function catalogState(server) {
  const admin = client(server, ADMIN);
  const set = await qualitySet(server);
  const attributes = ["qualifiedName", "announcementType", "announcementTitle", "announcementMessage", ...Object.keys(set.names).map((id) => `${set.id}.${id}`)];
  const query = {
    bool: {
      filter: [
        { terms: { "__typeName.keyword": ["Schema", "Table", "View", "MaterialisedView", "Column"] } },
        { term: { connectionQualifiedName: SNOWFLAKE } },
        { term: { __state: "ACTIVE" } },
      ],
    },
  };
  const state = {};
  for (let from = 0; ; from += 300) {
    const page = await admin.search({ dsl: { from, size: 300, query, sort: [{ __guid: { order: "asc" } }] }, attributes });
    const entities = page.entities ?? [];
    for (const e of entities) {
      const metadata = {};
      for (const [id, name] of Object.entries(set.names)) {
        const value = e.attributes[`${set.id}.${id}`];
        if (value !== undefined && value !== null) metadata[name] = value;
      }
      const a = e.attributes;
      state[a.qualifiedName] = { metadata, announcement: a.announcementType ? [a.announcementType, a.announcementTitle, a.announcementMessage] : null };
    }
    if (entities.length < 300) break;
  }
  return state;
}

/** A local asset by its dotted path, e.g. `SALES_DB.SALES.CUSTOMERS.EMAIL`. */
function local(inventory, dotted) {
  const [db, schema, container, field] = dotted.split(".");
  const store = inventory.datastores.find((d) => d.name === `${db}.${schema}`);
  assert.ok(store, `datastore ${db}.${schema}`);
  if (!container) return store;
  const c = store.containers.find((x) => x.name === container);
  assert.ok(c, `container ${dotted}`);
  if (!field) return c;
  const f = c.fields.find((x) => x.name === field);
  assert.ok(f, `field ${dotted}`);
  return f;
}

/** Every local asset (datastores, containers, fields), flat. */
function localAssets(inventory) {
  return inventory.datastores.flatMap((d) => [d, ...(d.containers ?? []).flatMap((c) => [c, ...(c.fields ?? [])])]);
}

const mappedNames = (report) => new Map(report.log.filter((e) => e.action === "map" && e.result === "mapped").map((e) => [String(e.assetId), e.qualifiedName]));

// A fault-free `both` run on a fresh demo: the end state every other way of getting there
// (retries through faults, a cancelled run and its rerun) must reach.
let referenceRun;
function reference() {
  referenceRun ??= (async () => {
    const server = await sandbox();
    const report = await sync(server);
    assert.equal(report.counts.errors, 0);
    return { report, state: await catalogState(server), externalTags: report.externalTags };
  })();
  return referenceRun;
}

describe("pull", () => {
  let inventory;
  let report;
  before(async () => {
    inventory = await inventoryOf(demo);
    report = await sync(demo, { inventory, mode: "pull" });
  });

  test("a pull reads the catalog and writes nothing to it", () => {
    assert.equal(report.mode, "pull");
    assert.equal(report.requests.writes, 0);
    assert.equal(report.counts.metadataWritten, 0);
    assert.deepEqual(report.plannedWrites, []);
    assert.equal(report.counts.errors, 0);
  });

  test("catalog tags become external tags, by display name, keyed by local id", async () => {
    const ids = localAssets(inventory).map((a) => String(a.id));
    assert.deepEqual(Object.keys(report.externalTags).sort(), ids.sort(), "one entry per local asset");
    assert.deepEqual(report.externalTags[String(local(inventory, "SALES_DB.SALES.CUSTOMERS.FIRST_NAME").id)], ["PII"]);
    assert.deepEqual(report.externalTags[String(local(inventory, "FINANCE_DB.LEDGER.GENERAL_LEDGER").id)], ["Finance"]);
    const displayNames = new Set((await client(demo, ADMIN).typedefs()).classificationDefs.map((d) => d.displayName));
    const pulled = new Set(Object.values(report.externalTags).flat());
    assert.ok(pulled.size > 0);
    for (const tag of pulled) assert.ok(displayNames.has(tag), `external tag ${tag} is a display name, not an internal id`);
    assert.ok(report.counts.tagsAdded > 0);
  });

  test("names match case-insensitively and without identifier quotes, an exact-case match noted as such", () => {
    const mapped = (dotted) => report.log.find((e) => e.assetId === local(inventory, dotted).id && e.action === "map");
    const web = report.log.find((e) => e.asset === "SALES_DB.MARKETING.web_events" && e.action === "map");
    assert.equal(web.qualifiedName, `${SNOWFLAKE}/SALES_DB/MARKETING/WEB_EVENTS`);
    assert.match(web.message, /case-insensitive/);
    const products = report.log.find((e) => e.asset === 'SALES_DB.SALES."PRODUCTS"' && e.action === "map");
    assert.equal(products.qualifiedName, `${SALES}/PRODUCTS`);
    assert.doesNotMatch(mapped("SALES_DB.SALES.CUSTOMERS").message, /case-insensitive/);
  });

  test("requestsPerMinute spreads the requests over time", async () => {
    const paced = await sync(demo, { inventory, mode: "pull", options: { requestsPerMinute: 300 } });
    const requests = paced.requests.searches + paced.requests.reads;
    assert.ok(paced.durationMs >= (requests - 1) * 200 - 50, `${requests} requests in ${paced.durationMs} ms at 300 a minute`);
  });

  test("the returned inventory carries the pulled external tags, ready to feed the next run", () => {
    for (const asset of localAssets(report.inventory)) {
      assert.deepEqual(asset.externalTags ?? [], report.externalTags[String(asset.id)], `asset ${asset.id}`);
    }
  });

  test("the demo's stale external tag Legacy on SALES.CUSTOMERS is removed and dropped", () => {
    const customers = local(inventory, "SALES_DB.SALES.CUSTOMERS");
    assert.deepEqual(customers.externalTags, ["Legacy"], "the demo starts with it");
    assert.ok(!report.externalTags[String(customers.id)].includes("Legacy"));
    assert.ok(report.droppedTags.includes("Legacy"));
    const entry = report.log.find((e) => e.assetId === customers.id && e.action === "tags");
    assert.equal(entry.result, "updated");
    assert.match(entry.message, /removed Legacy/);
  });

  test("local tags are never touched: CUSTOMERS keeps Gold and PII, EMAIL keeps its local PII and gets no external copy", () => {
    assert.deepEqual(local(report.inventory, "SALES_DB.SALES.CUSTOMERS").tags, ["Gold", "PII"]);
    const email = local(report.inventory, "SALES_DB.SALES.CUSTOMERS.EMAIL");
    assert.deepEqual(email.tags, ["PII"]);
    assert.deepEqual(email.externalTags, []);
  });

  test("with overwriteTags a local tag named like a catalog tag becomes the external tag", async () => {
    const overwritten = await sync(demo, { inventory, mode: "pull", options: { overwriteTags: true } });
    const email = local(overwritten.inventory, "SALES_DB.SALES.CUSTOMERS.EMAIL");
    assert.deepEqual(email.tags, []);
    assert.deepEqual(email.externalTags, ["PII"]);
    // Gold and PII are no catalog tags of the CUSTOMERS table: they stay local.
    assert.deepEqual(local(overwritten.inventory, "SALES_DB.SALES.CUSTOMERS").tags, ["Gold", "PII"]);
  });

  test("propagated tags are pulled only with includePropagated", async () => {
    const column = String(local(inventory, "FINANCE_DB.LEDGER.GENERAL_LEDGER.ENTRY_ID").id);
    const table = String(local(inventory, "FINANCE_DB.PAYMENTS.PAYMENTS").id);
    assert.deepEqual(report.externalTags[column], []);
    assert.deepEqual(report.externalTags[table], []);
    const withPropagated = await sync(demo, { inventory, mode: "pull", options: { includePropagated: true } });
    assert.deepEqual(withPropagated.externalTags[column], ["Finance"]);
    assert.deepEqual(withPropagated.externalTags[table], ["Finance"]);
  });
});

test("a table's own tag is not copied to its columns", async () => {
  const server = await sandbox();
  const sensitive = await tagId(server, "Sensitive");
  await changeTags(server, [{ typeName: "Table", attributes: { qualifiedName: `${SALES}/ORDERS`, name: "ORDERS" }, addOrUpdateClassifications: [{ typeName: sensitive, propagate: false }] }]);
  const inventory = await inventoryOf(server);
  const report = await sync(server, { inventory, mode: "pull", options: { includePropagated: true } });
  const orders = local(inventory, "SALES_DB.SALES.ORDERS");
  assert.ok(report.externalTags[String(orders.id)].includes("Sensitive"));
  for (const field of orders.fields) {
    assert.ok(!report.externalTags[String(field.id)].includes("Sensitive"), `column ${field.name}`);
  }
});

test("a tag removed in the catalog disappears from that asset's external tags on the next pull", async () => {
  const server = await sandbox();
  const first = await sync(server, { mode: "pull" });
  const firstName = String(local(first.inventory, "SALES_DB.SALES.CUSTOMERS.FIRST_NAME").id);
  assert.deepEqual(first.externalTags[firstName], ["PII"]);
  await changeTags(server, [{ typeName: "Column", attributes: { qualifiedName: `${SALES}/CUSTOMERS/FIRST_NAME`, name: "FIRST_NAME" }, removeClassifications: [{ typeName: await tagId(server, "PII") }] }]);
  const second = await sync(server, { inventory: first.inventory, mode: "pull" });
  assert.deepEqual(second.externalTags[firstName], []);
  assert.equal(second.counts.tagsRemoved, 1);
  assert.equal(second.counts.tagsAdded, 0);
  const entry = second.log.find((e) => String(e.assetId) === firstName && e.action === "tags");
  assert.equal(entry.result, "updated");
  assert.match(entry.message, /removed PII/);
  assert.deepEqual(second.droppedTags, [], "other assets still carry PII");
});

describe("push", () => {
  let server;
  let inventory;
  let report;
  let set;
  before(async () => {
    server = await sandbox();
    inventory = await inventoryOf(server);
    report = await sync(server, { inventory, mode: "push" });
    set = await qualitySet(server);
  });

  test("writes every mapped schema, table and column's quality results as Data Quality custom metadata", async () => {
    assert.equal(report.counts.errors, 0);
    assert.equal(report.counts.tagsAdded, 0, "a push pulls no tags");
    assert.equal(report.inventory, undefined);
    assert.ok(report.requests.writes > 0);
    const state = await catalogState(server);
    const byId = new Map(localAssets(inventory).map((a) => [String(a.id), a]));
    const mapped = mappedNames(report);
    assert.equal(mapped.size, report.counts.mapped);
    for (const [id, qualifiedName] of mapped) {
      const quality = byId.get(id).quality;
      if (!quality) continue;
      assert.deepEqual(state[qualifiedName]?.metadata, expectedValues(quality), qualifiedName);
    }
    for (const [level, type, qn, dotted] of [
      ["schema", "Schema", SALES, "SALES_DB.SALES"],
      ["table", "Table", `${SALES}/CUSTOMERS`, "SALES_DB.SALES.CUSTOMERS"],
      ["column", "Column", `${SALES}/CUSTOMERS/EMAIL`, "SALES_DB.SALES.CUSTOMERS.EMAIL"],
    ]) {
      const e = await entity(server, type, qn);
      assert.deepEqual(qualityValues(set, e.businessAttributes), expectedValues(local(inventory, dotted).quality), `${level} ${qn}`);
    }
  });

  test("raises our warning announcement on an asset with active anomalies", async () => {
    const customers = local(inventory, "SALES_DB.SALES.CUSTOMERS");
    assert.equal(customers.quality.anomalies, 2);
    const e = await entity(server, "Table", `${SALES}/CUSTOMERS`);
    assert.equal(e.attributes.announcementType, "warning");
    assert.match(e.attributes.announcementTitle, /2 active/);
    assert.match(e.attributes.announcementMessage, /2 active anomalies/);
    assert.ok(e.attributes.announcementMessage.includes(customers.quality.url), "links to the anomalies");
    assert.equal(e.attributes.announcementUpdatedBy, "service-account-apikey-integration");
    const entry = report.log.find((x) => x.assetId === customers.id && x.action === "announcement");
    assert.equal(entry.result, "set");
  });

  test("keeps jane.doe's announcement on SALES.ORDERS and logs it as kept", async () => {
    const orders = local(inventory, "SALES_DB.SALES.ORDERS");
    assert.ok(orders.quality.anomalies > 0, "ORDERS has anomalies, so ours would go there");
    const e = await entity(server, "Table", `${SALES}/ORDERS`);
    assert.equal(e.attributes.announcementUpdatedBy, "jane.doe");
    assert.equal(e.attributes.announcementTitle, "Orders are migrating to the new pipeline");
    assert.equal(e.attributes.announcementType, "information");
    const entry = report.log.find((x) => x.assetId === orders.id && x.action === "announcement");
    assert.equal(entry.result, "kept");
    assert.match(entry.message, /jane\.doe/);
    assert.ok(report.counts.announcementsKept >= 1);
  });

  test("reports the ambiguous MARKETING.campaigns and the unmapped CUSTOMER_FEEDBACK and SCRATCH, and writes nothing for them", async () => {
    const campaigns = local(inventory, "SALES_DB.MARKETING.campaigns");
    const feedback = local(inventory, "SALES_DB.SALES.CUSTOMER_FEEDBACK");
    const scratch = inventory.datastores.find((d) => d.name === "SALES_DB.SCRATCH");
    const result = (asset) => report.log.find((e) => e.assetId === asset.id && e.action === "map")?.result;
    assert.equal(result(campaigns), "ambiguous");
    assert.equal(result(feedback), "unmapped");
    assert.equal(result(scratch), "unmapped");
    assert.equal(report.counts.ambiguous, 1);
    assert.ok(report.counts.unmapped >= 2 + feedback.fields.length + campaigns.fields.length);
    const notSynced = new Set([campaigns, feedback, scratch, ...campaigns.fields, ...feedback.fields, ...scratch.containers.flatMap((c) => [c, ...(c.fields ?? [])])].map((a) => String(a.id)));
    for (const e of report.log) {
      if (notSynced.has(String(e.assetId))) assert.equal(e.action, "map", `no ${e.action} for ${e.asset}`);
    }
    for (const w of report.plannedWrites) assert.ok(!notSynced.has(String(w.assetId)), `wrote ${w.asset}`);
    for (const name of ["CAMPAIGNS", "Campaigns"]) {
      const e = await entity(server, "Table", `${SNOWFLAKE}/SALES_DB/MARKETING/${name}`);
      assert.deepEqual(qualityValues(set, e.businessAttributes), {}, `nothing written on ${name}`);
    }
  });

  test("clears our announcement when the inventory says 0 anomalies", async () => {
    const next = structuredClone(inventory);
    local(next, "SALES_DB.SALES.CUSTOMERS").quality.anomalies = 0;
    const again = await sync(server, { inventory: next, mode: "push" });
    assert.equal(again.counts.announcementsCleared, 1);
    assert.equal(again.counts.announcementsSet, 0);
    const e = await entity(server, "Table", `${SALES}/CUSTOMERS`);
    assert.ok(!e.attributes.announcementType && !e.attributes.announcementTitle && !e.attributes.announcementMessage, JSON.stringify(e.attributes));
    assert.equal(qualityValues(set, e.businessAttributes)["Anomaly Count"], 0);
    const entry = again.log.find((x) => x.assetId === local(next, "SALES_DB.SALES.CUSTOMERS").id && x.action === "announcement");
    assert.equal(entry.result, "cleared");
    // Someone else's announcement is not ours to clear, whatever the count.
    assert.equal((await entity(server, "Table", `${SALES}/ORDERS`)).attributes.announcementUpdatedBy, "jane.doe");
  });
});

test("with announcements off, a push writes the metadata and neither raises nor clears an announcement", async () => {
  const server = await sandbox();
  const report = await sync(server, { mode: "push", options: { announcements: false } });
  assert.equal(report.counts.errors, 0);
  assert.ok(report.counts.metadataWritten > 0);
  assert.equal(report.counts.announcementsSet + report.counts.announcementsCleared + report.counts.announcementsKept, 0);
  assert.ok(!report.log.some((e) => e.action === "announcement"));
  assert.ok(!(await entity(server, "Table", `${SALES}/CUSTOMERS`)).attributes.announcementType);
});

describe("both", () => {
  let server;
  let first;
  let second;
  before(async () => {
    server = await sandbox();
    first = await sync(server, { mode: "both" });
    second = await sync(server, { inventory: first.inventory, mode: "both" });
  });

  test("pulls tags and pushes metadata in one run", async () => {
    assert.equal(first.counts.errors, 0);
    assert.ok(first.counts.tagsAdded > 0);
    assert.ok(first.counts.metadataWritten > 0);
    assert.ok(first.counts.announcementsSet > 0);
    assert.ok(first.inventory, "a run that pulls returns the inventory");
    const set = await qualitySet(server);
    const e = await entity(server, "Table", `${SALES}/CUSTOMERS`);
    assert.equal(qualityValues(set, e.businessAttributes)["Quality Score"], local(first.inventory, "SALES_DB.SALES.CUSTOMERS").quality.score);
  });

  test("a second sync with no change writes nothing", () => {
    assert.equal(second.requests.writes, 0);
    assert.equal(second.counts.metadataWritten, 0);
    assert.equal(second.counts.metadataUnchanged, first.counts.metadataWritten);
    assert.equal(second.counts.announcementsSet, 0);
    assert.equal(second.counts.announcementsCleared, 0);
    assert.equal(second.counts.tagsAdded, 0);
    assert.equal(second.counts.tagsRemoved, 0);
    assert.deepEqual(second.plannedWrites, []);
  });

  test("searches stay at ⌈assets/pageSize⌉ + 1 (the schemas)", async () => {
    const schemas = [...new Set([...mappedNames(second).values()].map((qn) => qn.split("/").slice(0, 5).join("/")))];
    const page = await client(server, INTEGRATION).search({
      dsl: {
        from: 0,
        size: 1,
        query: { bool: { filter: [{ terms: { "__typeName.keyword": ["Table", "View", "MaterialisedView", "Column"] } }, { terms: { schemaQualifiedName: schemas } }, { term: { __state: "ACTIVE" } }] } },
      },
      attributes: ["qualifiedName"],
    });
    const assets = page.approximateCount;
    assert.ok(assets > 1000, `${assets} tables, views and columns in ${schemas.length} schemas`);
    assert.equal(second.requests.searches, Math.ceil(assets / 300) + 1);
    const small = await sync(server, { inventory: first.inventory, mode: "pull", options: { pageSize: 100 } });
    assert.equal(small.requests.searches, Math.ceil(assets / 100) + 1);
  });
});

test("a dry run writes nothing, and its plannedWrites are what a real run then writes", async () => {
  const server = await sandbox();
  const inventory = await inventoryOf(server);
  const before = await catalogState(server);
  const dry = await sync(server, { inventory, options: { dryRun: true } });
  assert.equal(dry.dryRun, true);
  assert.equal(dry.requests.writes, 0);
  assert.ok(dry.plannedWrites.length > 0);
  assert.ok(dry.log.some((e) => e.result === "planned"));
  assert.deepEqual(await catalogState(server), before, "the catalog is unchanged");
  const real = await sync(server, { inventory });
  assert.equal(real.counts.errors, 0);
  const byGuid = (writes) => [...writes].sort((a, b) => a.guid.localeCompare(b.guid));
  assert.equal(real.plannedWrites.length, dry.plannedWrites.length);
  assert.deepEqual(byGuid(real.plannedWrites), byGuid(dry.plannedWrites));
  assert.equal(real.counts.metadataWritten, dry.plannedWrites.filter((w) => w.changes.length > 0).length);
  assert.equal(real.counts.announcementsSet, dry.plannedWrites.filter((w) => w.announcement?.kind === "set").length);
});

describe("the custom-metadata set, missing at the start", () => {
  // One tenant without the set, in order: a member's push, the preflight, an admin's push.
  let server;
  let inventory;
  before(async () => {
    server = await sandbox(["--demo-quality-set", "absent"]);
    inventory = await inventoryOf(server);
  });

  test("a push with a non-admin token writes no metadata and says what an admin must create", async () => {
    const report = await sync(server, { inventory, mode: "push" });
    assert.equal(report.counts.metadataWritten, 0);
    assert.equal(report.counts.errors, 1);
    const entry = report.log.find((e) => e.action === "typedefs");
    assert.equal(entry.result, "error");
    for (const attribute of ["Quality Score (float)", "Check Count (int)", "Anomaly Count (int)", "URL (string)", "Completeness (float)"]) {
      assert.ok(entry.message.includes(attribute), `${attribute} in: ${entry.message}`);
    }
    assert.match(entry.message, /admin/);
    assert.ok(!(await client(server, ADMIN).typedefs()).businessMetadataDefs.some((d) => d.displayName === "Data Quality"));
  });

  test("preflight is not ok when a push needs a set the token may not create", async () => {
    const report = await steward.preflight({ catalog: client(server, INTEGRATION), inventory, options: { mode: "push" } });
    assert.ok(report.advice.some((a) => a.includes("Data Quality")), report.advice.join("\n"));
    assert.equal(report.ok, false, "the sync would push nothing");
  });

  test("the first push with an admin token creates the set and writes the metadata; the next run writes nothing", async () => {
    const report = await sync(server, { inventory, mode: "push", token: ADMIN });
    assert.equal(report.counts.errors, 0);
    assert.equal(report.log.find((e) => e.action === "typedefs")?.result, "created");
    assert.equal(report.counts.metadataWritten, report.counts.mapped);
    const set = await qualitySet(server);
    assert.deepEqual(Object.values(set.names).sort(), ["Accuracy", "Anomaly Count", "Check Count", "Completeness", "Conformity", "Consistency", "Coverage", "Precision", "Quality Score", "Timeliness", "URL", "Volume"]);
    const e = await entity(server, "Table", `${SALES}/CUSTOMERS`);
    assert.deepEqual(qualityValues(set, e.businessAttributes), expectedValues(local(inventory, "SALES_DB.SALES.CUSTOMERS").quality));
    const again = await sync(server, { inventory, mode: "push" });
    assert.equal(again.requests.writes, 0);
  });
});

describe("preflight and setup", () => {
  test("the integration token's preflight is ok", async () => {
    const report = await steward.preflight({ catalog: client(demo, INTEGRATION), inventory: await inventoryOf(demo) });
    assert.equal(report.ok, true);
    assert.equal(report.user, "service-account-apikey-integration");
    assert.deepEqual(report.cannotRead, []);
    assert.deepEqual(report.cannotWrite, []);
    assert.ok(report.mapped > 1000);
    assert.equal(report.requests.writes, 0);
  });

  test("the restricted token's preflight lists exactly the HR schema and its tables as unreadable", async () => {
    const inventory = await inventoryOf(demo);
    const report = await steward.preflight({ catalog: client(demo, RESTRICTED), inventory });
    assert.equal(report.ok, false);
    const hr = inventory.datastores.find((d) => d.name === "FINANCE_DB.HR");
    // Columns are read with their table, so the preflight names the schema and the tables.
    const expected = [hr, ...hr.containers].map((a) => String(a.id)).sort();
    assert.deepEqual(report.cannotRead.map((b) => String(b.assetId)).sort(), expected);
    for (const blocked of report.cannotRead) {
      assert.ok(blocked.qualifiedName.startsWith(`${SNOWFLAKE}/FINANCE_DB/HR`), blocked.qualifiedName);
      assert.deepEqual(blocked.actions, ["read"]);
      assert.match(blocked.reason, /403|not authorized/);
    }
    assert.equal(report.requests.writes, 0);
  });

  test("with the tenant's access config, preflight predicts exactly the writes the catalog then refuses", async () => {
    const server = await sandbox();
    const accessConfig = await (await fetch(`${server.url}/sandbox/access-config`)).json();
    const inventory = await inventoryOf(server);
    const ok = await steward.preflight({ catalog: client(server, INTEGRATION), inventory, options: { accessConfig } });
    assert.equal(ok.writesChecked, true);
    assert.equal(ok.ok, true, JSON.stringify(ok.cannotWrite.slice(0, 2)));
    // The guest may read SALES_DB but write nothing (the guest ceiling).
    const small = { datastores: [{ ...local(inventory, "SALES_DB.SALES"), containers: [local(inventory, "SALES_DB.SALES.CUSTOMERS")] }] };
    const predicted = await steward.preflight({ catalog: client(server, GUEST), inventory: small, options: { mode: "push", accessConfig } });
    assert.equal(predicted.ok, false);
    assert.deepEqual(predicted.cannotRead, []);
    assert.ok(predicted.cannotWrite.every((b) => b.actions.includes("update-custom-metadata")), JSON.stringify(predicted.cannotWrite[0]));
    const report = await sync(server, { inventory: small, token: GUEST, mode: "push", options: { requestsPerMinute: 0 } });
    const failed = new Set(report.log.filter((e) => e.result === "error").map((e) => String(e.assetId)));
    assert.deepEqual(new Set(predicted.cannotWrite.map((b) => String(b.assetId))), failed);
    assert.equal(predicted.requests.writes, 0);
  });

  test("the unconfigured token fails preflight until setupIntegration adds it to the persona; a second setup finds every step in place", async () => {
    const server = await sandbox();
    const inventory = await inventoryOf(server);
    const before = await steward.preflight({ catalog: client(server, UNCONFIGURED), inventory });
    assert.equal(before.ok, false);
    assert.equal(before.mapped, 0);
    assert.ok(before.advice.some((a) => /persona/.test(a)), before.advice.join("\n"));
    const args = { admin: client(server, ADMIN), integration: client(server, UNCONFIGURED), connections: [SNOWFLAKE] };
    const setup = await steward.setupIntegration(args);
    assert.equal(setup.applied, true);
    assert.equal(setup.user, "service-account-apikey-unconfigured");
    assert.deepEqual(setup.steps.map((s) => s.step).sort(), ["metadata-set", "persona", "policy", "user"]);
    const after = await steward.preflight({ catalog: client(server, UNCONFIGURED), inventory });
    assert.equal(after.ok, true, after.advice.join("\n"));
    assert.ok(after.mapped > 1000, `${after.mapped} mapped`);
    const again = await steward.setupIntegration(args);
    assert.equal(again.applied, true);
    for (const step of again.steps) assert.equal(step.status, "exists", `${step.step}: ${step.detail}`);
  });

  test("every setup step reports a status of the documented set", async () => {
    const server = await sandbox();
    const args = { admin: client(server, ADMIN), integration: client(server, UNCONFIGURED), connections: [SNOWFLAKE] };
    const documented = new Set(["exists", "created", "updated", "planned", "manual"]);
    for (const result of [await steward.setupIntegration({ ...args, dryRun: true }), await steward.setupIntegration(args)]) {
      for (const step of result.steps) assert.ok(documented.has(step.status), `${step.step}: status "${step.status}" (${step.detail})`);
    }
  });

  test("setupIntegration with a non-admin token applies nothing and returns the exact settings to create by hand", async () => {
    const result = await steward.setupIntegration({ admin: client(demo, INTEGRATION), integration: client(demo, UNCONFIGURED), connections: [SNOWFLAKE] });
    assert.equal(result.applied, false);
    assert.ok(result.steps.every((s) => s.status === "manual"));
    const manual = result.manual;
    assert.ok(manual, "manual settings");
    assert.deepEqual(manual.persona.users, ["service-account-apikey-unconfigured"]);
    assert.equal(manual.policy.kind, "metadata");
    assert.equal(manual.policy.effect, "allow");
    assert.deepEqual([...manual.policy.actions].sort(), ["add-tags", "read", "remove-tags", "update", "update-custom-metadata"]);
    assert.deepEqual(manual.policy.resources, [`entity:${SNOWFLAKE}`]);
    assert.ok(manual.steps.length > 0);
    // Nothing changed: the unconfigured token still reads nothing.
    assert.equal((await steward.preflight({ catalog: client(demo, UNCONFIGURED), inventory: await inventoryOf(demo) })).mapped, 0);
  });
});

describe("faults and cancel", () => {
  test("through 20% failed requests (429, 500, 503, dropped), a sync with retries reaches the same end state as a fault-free run", async () => {
    const server = await sandbox(["--faults", FAULTS]);
    const inventory = await inventoryOf(server);
    let report = await sync(server, { inventory });
    // A failed asset is logged and the run goes on; a rerun completes it.
    for (let rerun = 0; report.counts.errors > 0 && rerun < 3; rerun++) report = await sync(server, { inventory });
    assert.equal(report.counts.errors, 0, JSON.stringify(report.log.filter((e) => e.result === "error").slice(0, 3)));
    const want = await reference();
    assert.deepEqual(report.externalTags, want.externalTags);
    assert.deepEqual(await catalogState(server), want.state);
  });

  test("without retries, failed writes are logged per asset and the run goes on; a rerun with retries completes them", async () => {
    const server = await sandbox(["--faults", FAULTS]);
    const inventory = await inventoryOf(server);
    const catalog = client(server, INTEGRATION, { maxAttempts: 1 });
    let failed;
    try {
      failed = await steward.runSync({ catalog, inventory });
    } catch (e) {
      // A read that fails ends the run before any write: also a run a rerun completes.
      assert.match(e.code, /^CATALOG_(HTTP|RATE_LIMITED|UNREACHABLE)$/, e.message);
    }
    if (failed) {
      assert.ok(failed.counts.errors > 0, "20% of the writes fail at the first attempt");
      assert.ok(failed.counts.metadataWritten > 0, "the run went on past the failures");
      const errors = failed.log.filter((e) => e.result === "error");
      assert.ok(errors.every((e) => e.assetId !== undefined && /HTTP (429|500|503)|could not/.test(e.message)), JSON.stringify(errors[0]));
    }
    const rerun = await sync(server, { inventory });
    assert.equal(rerun.counts.errors, 0);
    const want = await reference();
    assert.deepEqual(rerun.externalTags, want.externalTags);
    assert.deepEqual(await catalogState(server), want.state);
  });

  test("aborting the signal mid-push resolves with cancelled: true, and a rerun reaches the same end state as an uncancelled run", async () => {
    const server = await sandbox();
    const inventory = await inventoryOf(server);
    const controller = new AbortController();
    const phases = new Set();
    const cancelled = await sync(server, {
      inventory,
      signal: controller.signal,
      onProgress: ({ phase, done }) => {
        phases.add(phase);
        if (phase === "push" && done > 0) controller.abort();
      },
    });
    assert.equal(cancelled.cancelled, true);
    assert.ok(phases.has("push"));
    assert.ok(cancelled.counts.metadataWritten < cancelled.counts.mapped, "the run stopped before every write");
    const rerun = await sync(server, { inventory });
    assert.equal(rerun.cancelled, false);
    assert.equal(rerun.counts.errors, 0);
    assert.ok(rerun.counts.metadataUnchanged > 0, "the rerun keeps what the cancelled run wrote");
    const want = await reference();
    assert.deepEqual(rerun.externalTags, want.externalTags);
    assert.deepEqual(await catalogState(server), want.state);
  });

  test("writes a cancelled run never sent are not logged as errors", async () => {
    const server = await sandbox();
    const controller = new AbortController();
    // A slow budget keeps the next batches waiting for their turn when the signal fires.
    const report = await sync(server, {
      options: { requestsPerMinute: 600 },
      signal: controller.signal,
      onProgress: ({ phase, done }) => phase === "push" && done > 0 && controller.abort(),
    });
    assert.equal(report.cancelled, true);
    assert.equal(report.counts.errors, 0, JSON.stringify(report.log.filter((e) => e.result === "error").slice(0, 2)));
  });

  test("a signal aborted before the start resolves at once with cancelled: true and writes nothing", async () => {
    const controller = new AbortController();
    controller.abort();
    const report = await sync(await sandbox(), { signal: controller.signal });
    assert.equal(report.cancelled, true);
    assert.equal(report.requests.writes, 0);
  });
});

describe("the token", () => {
  const secret = "sandbox-integration-token";
  const leaks = (value) => JSON.stringify(value).includes(secret) || String(value?.stack ?? "").includes(secret) || String(value).includes(secret);

  async function thrown(promise) {
    try {
      await promise();
    } catch (e) {
      return e;
    }
    assert.fail("expected an error");
  }

  test("appears in no report, log entry or planned write", async () => {
    const written = (await reference()).report;
    assert.ok(written.requests.writes > 0);
    assert.ok(!leaks(written), "the report of a run that wrote");
    const inventory = await inventoryOf(demo);
    for (const mode of ["pull", "push", "both"]) {
      const report = await sync(demo, { inventory, mode, token: secret, options: { dryRun: true } });
      assert.ok(!leaks(report), `${mode} report`);
      for (const entry of report.log) assert.ok(!leaks(entry));
    }
    const pre = await steward.preflight({ catalog: client(demo, secret), inventory });
    assert.ok(!leaks(pre));
  });

  test("appears in no log entry of refused writes", async () => {
    // The guest may read SALES_DB but write nothing: every write is refused, asset by asset.
    const server = await sandbox();
    const inventory = await inventoryOf(server);
    const small = { datastores: [{ ...local(inventory, "SALES_DB.SALES"), containers: [local(inventory, "SALES_DB.SALES.CUSTOMERS")] }] };
    const report = await sync(server, { inventory: small, token: GUEST, options: { requestsPerMinute: 0 } });
    assert.ok(report.counts.errors > 0);
    const errors = report.log.filter((e) => e.result === "error");
    assert.ok(errors.some((e) => /403|not authorized|forbidden/i.test(e.message)), "the catalog's own message");
    assert.ok(!JSON.stringify(report).includes(GUEST));
  });

  test("appears in no thrown error", async () => {
    const inventory = await inventoryOf(demo);
    const wrongToken = new steward.CatalogClient({ baseUrl: demo.url, token: `${secret}-revoked` });
    const errors = [
      await thrown(() => steward.runSync({ catalog: wrongToken, inventory })),
      await thrown(() => steward.preflight({ catalog: wrongToken, inventory })),
      await thrown(() => steward.runSync({ catalog: new steward.CatalogClient({ baseUrl: "http://127.0.0.1:9", token: secret, retry: { maxAttempts: 1 } }), inventory })),
      await thrown(() => steward.runSync({ catalog: client(demo, secret), inventory: { datastores: [{ id: 1 }] } })),
    ];
    assert.equal(errors[0].code, "CATALOG_UNAUTHORIZED");
    assert.equal(errors[1].code, "CATALOG_UNAUTHORIZED");
    for (const e of errors) {
      assert.ok(e instanceof Error, String(e));
      assert.ok(!leaks(e) && !leaks({ message: e.message, code: e.code }), `${e.code}: ${e.message}`);
    }
  });
});

describe("bad input", () => {
  test("an inventory with a missing name throws INVALID_INVENTORY naming the path", async () => {
    const inventory = await inventoryOf(demo);
    delete inventory.datastores[1].containers[2].name;
    await assert.rejects(async () => steward.runSync({ catalog: client(demo), inventory }), (e) => {
      assert.equal(e.code, "INVALID_INVENTORY");
      assert.match(e.message, /datastores\[1\]\.containers\[2\]/);
      assert.match(e.message, /name/);
      return true;
    });
  });

  test("an unknown option throws INVALID_OPTIONS naming it", async () => {
    await assert.rejects(async () => steward.runSync({ catalog: client(demo), inventory: { datastores: [] }, options: { dryrun: true } }), (e) => {
      assert.equal(e.code, "INVALID_OPTIONS");
      assert.match(e.message, /dryrun/);
      return true;
    });
    await assert.rejects(async () => steward.runSync({ catalog: client(demo), inventory: { datastores: [] }, mode: "sideways" }), { code: "INVALID_OPTIONS" });
    await assert.rejects(async () => steward.preflight({ catalog: client(demo), inventory: { datastores: [] }, options: { concurrency: 99 } }), { code: "INVALID_OPTIONS" });
  });
});

test("past the index's 100,000-hit window the sync pages by creation time and loses no asset", { timeout: 240_000 }, async () => {
  // ~108,000 tables, views and columns in the mapped schemas: from + size would pass 100,000.
  const big = await sandbox(["--demo-scale", "15000"], { startupMs: 120_000 });
  const inventory = await inventoryOf(big);
  const local = inventory.datastores.reduce(
    (n, d) => n + 1 + (d.containers ?? []).reduce((m, c) => m + 1 + (c.fields ?? []).length, 0),
    0,
  );
  const report = await sync(big, { inventory, mode: "pull", options: { dryRun: true, requestsPerMinute: 0 } });
  assert.equal(report.counts.errors, 0);
  assert.ok(report.counts.mapped > 100_000, `mapped ${report.counts.mapped}`);
  const ambiguousTree = report.log.filter((e) => e.action === "map" && e.result === "ambiguous").length;
  assert.equal(report.counts.mapped + report.counts.unmapped + ambiguousTree, local, "every local asset is mapped, unmapped or ambiguous");
  // The same count as a window-sized run would give: the demo maps all but the deliberate mismatches.
  assert.equal(report.counts.unmapped, 18);
  assert.ok(report.requests.searches >= Math.ceil(report.counts.mapped / 300), `searches ${report.requests.searches}`);
  assert.ok(report.requests.searches <= Math.ceil(report.counts.mapped / 300) + 5, `searches ${report.requests.searches}`);
});
