// Hightouch setup (SPEC §4, §9 HightouchPolicy / hightouchCatalogRole / hightouchSetupSteps /
// HightouchClient / checkHightouchKey) through the package as a consumer installs it, against
// the sandbox workspace of a real steward-server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { rmSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { startServer } from "./helpers/server.mjs";
import { installPackedPackage } from "./helpers/consumer.mjs";

const READONLY = "sandbox-hightouch-readonly";
const BROAD = "sandbox-hightouch-broad";
const PARTIAL = "sandbox-hightouch-partial";
const WRONG = "wrong-hightouch-key-9b07e1";
const SIX = ["workspace", "source", "destination", "model", "sync", "sync_templates"];
/** Seed 001's role, as the guide prints it (key order included). */
const SEED_ROLE = `{"version":"2022-04-26","policies":[{"effect":"allow","actions":["read"],"resource":${JSON.stringify(SIX)}}]}`;

let steward;
let consumer;
let server;

before(async () => {
  consumer = installPackedPackage("steward-hightouch-");
  const entry = createRequire(path.join(consumer, "package.json")).resolve("steward");
  steward = await import(pathToFileURL(entry).href);
  server = await startServer(["--sandbox"]);
});

after(async () => {
  await server?.stop();
  if (consumer) rmSync(consumer, { recursive: true, force: true });
});

const client = (apiKey, extra = {}) => new steward.HightouchClient({ baseUrl: server.url, apiKey, ...extra });
const policy = (policies) => steward.HightouchPolicy.parse({ version: "2022-04-26", policies });

/** Every string reachable from a value, for the leak checks. */
function texts(value, out = []) {
  if (typeof value === "string") out.push(value);
  else if (value && typeof value === "object") for (const v of Object.values(value)) texts(v, out);
  return out;
}

test("hightouchCatalogRole is the setup guide's role, key for key and in its order", () => {
  assert.equal(JSON.stringify(steward.hightouchCatalogRole()), SEED_ROLE);
  const role = steward.HightouchPolicy.parse(steward.hightouchCatalogRole());
  assert.deepEqual(role.check(), { ok: true, missing: [], tooBroad: [], warnings: [] });
  assert.equal(JSON.stringify(role), SEED_ROLE, "JSON.stringify(policy) writes the document");
  for (const r of SIX) assert.equal(role.allows("read", r), true, r);
  for (const a of ["create", "update", "delete", "manage", "run", "*"]) assert.equal(role.allows(a, "sync"), false, a);
});

test("parse takes the document as text or object and throws INVALID_POLICY naming the place", () => {
  assert.equal(steward.HightouchPolicy.parse(SEED_ROLE).check().ok, true);
  const cases = [
    [{ version: "2021-01-01", policies: [] }, 'version: unknown version "2021-01-01" (expected "2022-04-26")'],
    [{ version: "2022-04-26", policies: [{ effect: "permit", actions: ["read"], resource: ["source"] }] }, 'policies[0].effect: expected "allow" or "deny", got "permit"'],
    [{ version: "2022-04-26", policies: [{ effect: "allow", resource: ["source"] }] }, "policies[0].actions: missing (expected a list of actions)"],
    ["{not json", /^\(root\): invalid JSON/],
    [42, "(root): expected a role policy object or its JSON text"],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => steward.HightouchPolicy.parse(input), (e) => {
      assert.equal(e.code, "INVALID_POLICY");
      if (message instanceof RegExp) assert.match(e.message, message);
      else assert.equal(e.message, message);
      return e instanceof Error;
    });
  }
});

test("a deny overrides a wildcard allow, and explain names the deciding statement", () => {
  const role = policy([
    { effect: "allow", actions: ["*"], resource: "*" },
    { effect: "deny", actions: ["read"], resource: ["destination"] },
  ]);
  assert.equal(role.allows("delete", "sync"), true);
  assert.equal(role.allows("read", "destination"), false);
  assert.deepEqual(role.explain("read", "destination"), {
    allowed: false, statement: 1, effect: "deny", message: 'policies[1] denies "read" on "destination"; deny wins',
  });
  assert.deepEqual(role.explain("run", "model"), { allowed: true, statement: 0, effect: "allow", message: 'policies[0] allows "run" on "model"' });
  assert.deepEqual(steward.HightouchPolicy.parse(SEED_ROLE).explain("update", "model"), {
    allowed: false, message: 'no statement allows "update" on "model": denied by default',
  });
  const check = role.check();
  assert.deepEqual(check.missing, ["destination"]);
  assert.deepEqual(check.tooBroad, [{ action: "*", resource: "*" }]);
});

test("an over-broad role is flagged with exactly its extra grants", () => {
  const check = policy([
    { effect: "allow", actions: ["read"], resource: SIX },
    { effect: "allow", actions: ["update", "run"], resource: ["sync"] },
    { effect: "allow", actions: ["read"], resource: ["audience"] },
  ]).check();
  assert.equal(check.ok, false);
  assert.deepEqual(check.missing, []);
  assert.deepEqual(check.tooBroad, [
    { action: "update", resource: "sync" },
    { action: "run", resource: "sync" },
    { action: "read", resource: "audience" },
  ]);
  assert.deepEqual(check.warnings, [{ path: "policies[2].resource[0]", message: 'unknown resource "audience" (known: workspace, source, destination, model, sync, sync_templates, *)' }]);
});

test("conditions are treated conservatively both ways", () => {
  const check = policy([
    { effect: "allow", actions: ["read"], resource: SIX },
    { effect: "allow", actions: ["delete"], resource: ["model"], conditions: { model: { id: ["301"] } } },
    { effect: "deny", actions: ["read"], resource: ["sync"], conditions: { sync: { id: ["401"] } } },
  ]).check();
  assert.deepEqual(check.missing, ["sync"], "a conditional deny may take the read away");
  assert.deepEqual(check.tooBroad, [{ action: "delete", resource: "model" }], "a conditional allow may grant");
  assert.equal(check.warnings.filter((w) => w.path.endsWith(".conditions")).length, 2);
});

test("duplicates, an empty list and misspelt names are warnings with the closest known name", () => {
  const role = policy([
    { effect: "allow", actions: ["reed"], resource: ["modle"] },
    { effect: "allow", actions: ["reed"], resource: ["modle"] },
  ]);
  assert.deepEqual(role.warnings.map((w) => `${w.path}: ${w.message}`), [
    'policies[0].actions[0]: unknown action "reed": did you mean "read"?',
    'policies[0].resource[0]: unknown resource "modle": did you mean "model"?',
    'policies[1].actions[0]: unknown action "reed": did you mean "read"?',
    'policies[1].resource[0]: unknown resource "modle": did you mean "model"?',
    "policies[1]: duplicates policies[0] (it changes nothing)",
  ]);
  assert.equal(role.allows("read", "model"), false, "a misspelt name grants nothing");
  assert.deepEqual(policy([]).warnings, [{ path: "policies", message: "no statements: the role allows nothing" }]);
});

test("hightouchSetupSteps follows the guide and never marks an unverifiable step as checkable", () => {
  const steps = steward.hightouchSetupSteps();
  assert.deepEqual(steps.map((s) => [s.id, s.verification]), [
    ["role", "role-check"], ["group", "manual"], ["system-user", "manual"], ["role-assignment", "manual"], ["api-key", "key-check"],
  ]);
  for (const s of steps) {
    assert.ok(s.title && s.instructions.length > 0 && s.howVerified, s.id);
    if (s.verification === "manual") assert.match(s.howVerified, /cannot verify/);
  }
  assert.match(steps.find((s) => s.id === "group").title, /atlan_group/);
});

test("the read-only key reads every list; counts and the crawl preview come with it", async () => {
  const check = await steward.checkHightouchKey(client(READONLY));
  assert.equal(check.ok, true);
  assert.equal(check.keyAccepted, true);
  assert.deepEqual(check.resources.map((r) => [r.resource, r.endpoint, r.readable, r.count]), [
    ["source", "/api/v1/sources", true, 3],
    ["destination", "/api/v1/destinations", true, 5],
    ["model", "/api/v1/models", true, 7],
    ["sync", "/api/v1/syncs", true, 9],
  ]);
  const { nodes, edges, dangling } = check.preview;
  assert.equal(nodes.length, 24);
  assert.deepEqual(dangling, []);
  const ids = new Set(nodes.map((n) => n.id));
  for (const e of edges) assert.ok(ids.has(e.from) && ids.has(e.to), `${e.from} → ${e.to}`);
  // Every sync links its model and its destination; every model its source.
  assert.equal(edges.filter((e) => e.from.startsWith("source:")).length, 7);
  assert.equal(edges.filter((e) => e.to.startsWith("destination:")).length, 9);
  assert.ok(nodes.some((n) => n.kind === "destination" && n.name === "Salesforce"));
  assert.match(check.notes[0], /cannot prove the key's role is read-only/);
});

test("the partial key: the refused lists say why, and the rest still count", async () => {
  const check = await steward.checkHightouchKey(client(PARTIAL));
  assert.equal(check.ok, false);
  const byResource = Object.fromEntries(check.resources.map((r) => [r.resource, r]));
  assert.equal(byResource.source.count, 3);
  assert.equal(byResource.model.count, 7);
  for (const r of ["destination", "sync"]) {
    assert.equal(byResource[r].readable, false);
    assert.equal(byResource[r].status, 403);
    assert.equal(byResource[r].why, `the key's role lacks read on ${r}`);
    assert.match(byResource[r].detail, /Forbidden/);
  }
  assert.equal(check.preview.nodes.length, 10);
});

test("the broad key passes the key check: only the role checker can tell it is too broad", async () => {
  const check = await steward.checkHightouchKey(client(BROAD));
  assert.equal(check.ok, true);
  assert.equal(policy([{ effect: "allow", actions: ["*"], resource: ["*"] }]).check().ok, false);
});

test("a wrong key is refused on every list, and appears in no result or error", async () => {
  const check = await steward.checkHightouchKey(client(WRONG));
  assert.equal(check.keyAccepted, false);
  assert.ok(check.resources.every((r) => r.status === 401 && r.why.startsWith("the key is wrong")));
  assert.ok(!texts(check).some((t) => t.includes(WRONG)));
  const err = await client(WRONG).listModels().catch((e) => e);
  assert.equal(err.code, "HIGHTOUCH_UNAUTHORIZED");
  assert.equal(err.status, 401);
  assert.ok(!`${err.message} ${err.stack}`.includes(WRONG));
});

test("lists page through small pages to the same objects, and page() answers one page", async () => {
  const small = client(READONLY, { pageSize: 2 });
  const large = client(READONLY, { pageSize: 1000 });
  assert.equal(small.pageSize, 2);
  for (const list of ["listSources", "listDestinations", "listModels", "listSyncs"]) {
    const a = await small[list]();
    assert.deepEqual(a, await large[list](), list);
    assert.ok(a.length > 2, `${list} spans several pages of 2`);
  }
  const page = await small.page("models", { offset: 6 });
  assert.deepEqual([page.data.length, page.hasMore], [1, false]);
  assert.deepEqual((await small.page("syncs", { limit: 4 })).hasMore, true);
  await assert.rejects(small.page("audiences"), { code: "INVALID_OPTIONS" });
  await assert.rejects(small.page("models", { limit: 0 }), { code: "INVALID_OPTIONS" });
});

test("the base URL may be the API root or end in /api/v1; other URLs are refused", async () => {
  const withPrefix = new steward.HightouchClient({ baseUrl: `${server.url}/api/v1/`, apiKey: READONLY });
  assert.equal(withPrefix.baseUrl, server.url);
  assert.equal((await withPrefix.listSources()).length, 3);
  assert.throws(() => new steward.HightouchClient({ baseUrl: "http://api.hightouch.com", apiKey: READONLY }), { code: "INVALID_URL" });
  assert.throws(() => new steward.HightouchClient({ baseUrl: "https://key@api.hightouch.com", apiKey: READONLY }), { code: "INVALID_URL" });
  assert.throws(() => new steward.HightouchClient({ baseUrl: server.url }), { code: "INVALID_OPTIONS" });
  assert.throws(() => new steward.HightouchClient({ baseUrl: server.url, apiKey: READONLY, pageSize: 1001 }), { code: "INVALID_OPTIONS" });
});

test("an aborted signal rejects with ABORTED; a 503 is retried like the catalog client's", async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(steward.checkHightouchKey(client(READONLY), { signal: controller.signal }), { code: "ABORTED" });
  const flaky = await startServer(["--sandbox", "--faults", "rate=0.5; kinds=503,429; seed=3; retry-after=0"]);
  try {
    const retrying = new steward.HightouchClient({ baseUrl: flaky.url, apiKey: READONLY, pageSize: 2, retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 20 } });
    const check = await steward.checkHightouchKey(retrying);
    assert.equal(check.ok, true);
    assert.deepEqual(check.resources.map((r) => r.count), [3, 5, 7, 9]);
  } finally {
    await flaky.stop();
  }
});
