// The access model through the built npm module in Node (SPEC §2, §9): the seed walkthrough,
// batch decisions, the masked table preview, catalog import, and errors with stable codes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PolicyEngine, importCatalogPolicies } from "../dist/node.js";

const SNOWFLAKE = "default/snowflake/1700000000";
const LOOKER = "default/looker/1700000001";

// The seed's walkthrough: a new user joins, is added to the Snowflake admins group, then to a
// persona with read/write on a Looker project, then falls under a PII purpose.
function walkthrough({ inAdminGroup = true, inPersona = true, piiPurpose = true } = {}) {
  return {
    users: [
      { name: "newcomer", role: "member", groups: inAdminGroup ? ["snowflake-admins"] : [] },
      { name: "guest", role: "guest", groups: ["snowflake-admins"] },
    ],
    groups: ["snowflake-admins"],
    connections: [
      { qualifiedName: SNOWFLAKE, name: "Snowflake", connector: "snowflake", admins: { users: [], groups: ["snowflake-admins"], roles: [] } },
      { qualifiedName: LOOKER, name: "Looker", connector: "looker", admins: { users: [], groups: [], roles: [] } },
    ],
    personas: [
      {
        name: "Looker editors",
        enabled: true,
        users: inPersona ? ["newcomer"] : [],
        groups: [],
        policies: [
          { name: "read-write marketing project", kind: "metadata", effect: "allow", actions: ["read", "update", "add-tags", "remove-tags"], resources: [`entity:${LOOKER}/marketing`] },
        ],
      },
    ],
    purposes: [
      {
        name: "PII",
        enabled: piiPurpose,
        tags: ["PII"],
        allUsers: true,
        users: [],
        groups: [],
        policies: [
          { name: "hash PII", kind: "data", effect: "mask", actions: ["query"], mask: "HASH" },
          { name: "keep PII tag", kind: "metadata", effect: "deny", actions: ["remove-tags"] },
        ],
      },
    ],
  };
}

const table = (qualifiedName, tags = []) => ({ qualifiedName, typeName: "Table", tags });
const column = (qualifiedName, tags = []) => ({ qualifiedName, typeName: "Column", tags });

test("a new user has nothing: denied by default", () => {
  const engine = PolicyEngine.fromConfig(walkthrough({ inAdminGroup: false, inPersona: false }));
  const d = engine.decide({ user: "newcomer", action: "read", asset: table(`${SNOWFLAKE}/DB/S/T`) });
  assert.equal(d.allowed, false);
  assert.equal(d.reason, "implicit-deny");
  assert.deepEqual(d.policies, []);
});

test("seed walkthrough: connection admins by group, persona grants combine, PII is hashed, PII tag removal is denied", () => {
  const engine = PolicyEngine.fromConfig(JSON.stringify(walkthrough()));
  // 1. In the Snowflake admins group: read and write all Snowflake metadata, and query data.
  const read = engine.decide({ user: "newcomer", action: "update", asset: table(`${SNOWFLAKE}/DB/S/T`) });
  assert.equal(read.allowed, true);
  assert.equal(read.reason, "connection-admin");
  // 2. The persona adds the Looker project (and only that project, at a segment boundary).
  const looker = engine.decide({ user: "newcomer", action: "update", asset: table(`${LOOKER}/marketing/dashboard`) });
  assert.equal(looker.allowed, true);
  assert.equal(looker.reason, "persona-grant");
  assert.deepEqual(looker.decidedBy, { owner: "persona", ownerName: "Looker editors", policy: "read-write marketing project" });
  const sibling = engine.decide({ user: "newcomer", action: "read", asset: table(`${LOOKER}/marketing2/dashboard`) });
  assert.equal(sibling.allowed, false);
  // 3. PII columns come back hashed.
  const query = engine.decide({ user: "newcomer", action: "query", asset: column(`${SNOWFLAKE}/DB/S/T/EMAIL`, ["PII"]) });
  assert.equal(query.allowed, true);
  assert.equal(query.mask, "HASH");
  // 4. The purpose's deny beats connection admin: the PII tag can no longer be removed.
  const remove = engine.decide({ user: "newcomer", action: "remove-tags", asset: column(`${SNOWFLAKE}/DB/S/T/EMAIL`, ["PII"]) });
  assert.equal(remove.allowed, false);
  assert.equal(remove.reason, "deny-policy");
  assert.deepEqual(remove.decidedBy, { owner: "purpose", ownerName: "PII", policy: "keep PII tag" });
});

test("a guest never gets a write action, even as a connection admin", () => {
  const engine = PolicyEngine.fromConfig(walkthrough());
  const d = engine.decide({ user: "guest", action: "update", asset: table(`${SNOWFLAKE}/DB/S/T`) });
  assert.equal(d.allowed, false);
  assert.equal(d.reason, "guest-ceiling");
  assert.equal(engine.decide({ user: "guest", action: "read", asset: table(`${SNOWFLAKE}/DB/S/T`) }).allowed, true);
});

test("decideMany answers in order, like decide one by one", () => {
  const engine = PolicyEngine.fromConfig(walkthrough());
  const requests = [
    { user: "newcomer", action: "read", asset: table(`${SNOWFLAKE}/DB/S/T`) },
    { user: "guest", action: "delete", asset: table(`${SNOWFLAKE}/DB/S/T`) },
    { user: "newcomer", action: "query", asset: column(`${SNOWFLAKE}/DB/S/T/SSN`, ["PII"]) },
    { user: "newcomer", action: "read", asset: table(`${LOOKER}/finance/x`) },
  ];
  assert.deepEqual(engine.decideMany(requests), requests.map((r) => engine.decide(r)));
});

test("previewTable masks what the user may see and withholds what they may not query", () => {
  const engine = PolicyEngine.fromConfig(walkthrough());
  const preview = engine.previewTable({
    user: "newcomer",
    asset: table(`${SNOWFLAKE}/DB/S/CUSTOMERS`),
    columns: [
      { name: "EMAIL", tags: ["PII"], values: ["panda", null] },
      { name: "CITY", tags: [], values: ["Oslo", "Lima"] },
    ],
  });
  assert.equal(preview.columns[0].mask, "HASH");
  assert.deepEqual(preview.columns[0].values, ["a7cdf5d0586b392473dd0cd08c9ba833240006a8a7310bf9bc8bf1aefdfaeadb", null]);
  assert.deepEqual(preview.columns[1].values, ["Oslo", "Lima"]);
  const outsider = PolicyEngine.fromConfig(walkthrough({ inAdminGroup: false })).previewTable({
    user: "newcomer",
    asset: table(`${SNOWFLAKE}/DB/S/CUSTOMERS`),
    columns: [{ name: "CITY", tags: [], values: ["Oslo"] }],
  });
  assert.equal(outsider.columns[0].values, null);
  assert.ok(outsider.columns[0].reason, "a withheld column says why");
});

test("a bad config is refused whole, every problem located, as an Error with a code", () => {
  const config = walkthrough();
  config.personas[0].policies[0].actions[1] = "reed";
  config.purposes[0].policies[0].mask = "BLUR";
  assert.throws(
    () => PolicyEngine.fromConfig(config),
    (err) => {
      assert.ok(err instanceof Error);
      assert.equal(err.code, "INVALID_CONFIG");
      assert.match(err.message, /personas\[0\]\.policies\[0\]\.actions\[1\]: unknown action "reed"/);
      assert.match(err.message, /purposes\[0\]\.policies\[0\]\.mask/);
      return true;
    },
  );
});

test("a bad request is an error naming the field, never a grant", () => {
  const engine = PolicyEngine.fromConfig(walkthrough());
  for (const request of [
    { user: "nobody", action: "read", asset: table(`${SNOWFLAKE}/DB/S/T`) },
    { user: "newcomer", action: "reed", asset: table(`${SNOWFLAKE}/DB/S/T`) },
  ]) {
    assert.throws(() => engine.decide(request), (err) => err instanceof Error && typeof err.code === "string" && /user|action/.test(err.message));
  }
});

test("catalog policies import into an access config, with what could not be translated", () => {
  const entities = [
    {
      typeName: "Persona",
      guid: "p-1",
      attributes: { name: "Analysts", personaUsers: ["ana"], personaGroups: [], isAccessControlEnabled: true },
    },
    {
      typeName: "AuthPolicy",
      guid: "ap-1",
      attributes: {
        name: "read snowflake",
        policyCategory: "persona",
        policySubCategory: "metadata",
        policyType: "allow",
        policyActions: ["persona-asset-read", "persona-made-up-action"],
        policyResources: [`entity:${SNOWFLAKE}`],
        policyUsers: [],
        policyGroups: [],
        isPolicyEnabled: true,
        accessControl: { typeName: "Persona", guid: "p-1" },
      },
    },
  ];
  const result = importCatalogPolicies(entities);
  const json = JSON.stringify(result);
  assert.match(json, /Analysts/);
  assert.match(json, /persona-made-up-action/, "an untranslatable action is reported, not dropped");
});

test("decideMany's fast path decides exactly as the JSON path, across calls on one engine", async () => {
  const { buildScenario } = await import("../bench/scenario.mjs");
  const { config, requests } = buildScenario({ users: 300, groups: 20, personas: 40, purposes: 30, tables: 20, tagCount: 12, requests: 3000 });
  // Glossary and domain assets, tags no purpose names, strings beyond ASCII, empty tag lists.
  config.personas[0].policies.push({ name: "glossary-edit", kind: "glossary", effect: "allow", actions: ["update"], resources: ["glossary:Business 📘"] });
  config.purposes[0].tags.push("PII 🔒");
  const user = config.users[0].name;
  config.personas[0].users.push(user);
  const extra = [
    { user, action: "update", asset: { qualifiedName: "glossary/term-1", typeName: "AtlasGlossaryTerm", glossary: "Business 📘" } },
    { user, action: "read", asset: { qualifiedName: "glossary/term-2", typeName: "AtlasGlossaryTerm", glossary: "Other" } },
    { user, action: "update-domain", asset: { qualifiedName: "default/domain/sales", typeName: "DataDomain", tags: [] } },
    { user, action: "query", asset: { qualifiedName: "default/snowflake/1700000000/DB_0/SCHEMA_0/TABLE_0", typeName: "Table", tags: ["PII 🔒", "TAG_1", "unknown-tag", "TAG_1"], glossary: null } },
  ];
  const engine = PolicyEngine.fromConfig(config);
  const all = [...requests, ...extra];
  const same = (batch, options) => {
    const fast = engine.decideMany(batch, options);
    const json = engine.decideMany(JSON.stringify(batch), options);
    assert.deepStrictEqual(fast, json);
    assert.equal(JSON.stringify(fast), JSON.stringify(json)); // same keys in the same order
  };
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < all.length; i += 700) {
      same(all.slice(i, i + 700));
      same(all.slice(i, i + 700), { explain: false });
    }
  }
  same([]);
  // They went through the fast path: their strings are numbered (once each).
  const { stages } = await import("../dist/access.js");
  const numbered = stages.stateOf(engine).ids;
  assert.ok(numbered.has("Business 📘") && numbered.has("PII 🔒") && numbered.has(requests[0].asset.qualifiedName));

  // Requests the fast path must hand to the JSON path: the same error, or the same decisions.
  const good = requests[0];
  const sameError = (bad) => {
    const batch = [good, bad];
    let expected;
    assert.throws(() => engine.decideMany(JSON.stringify(batch)), (err) => ((expected = err), true));
    assert.throws(() => engine.decideMany(batch), (err) => err instanceof Error && err.code === expected.code && err.message === expected.message);
  };
  sameError({ ...good, user: "nobody 🙈" });
  sameError({ ...good, user: `${good.user}\0` });
  sameError({ ...good, user: "\ud800" });
  sameError({ ...good, action: "reed" });
  sameError({ ...good, asset: { ...good.asset, tag: ["TAG_1"] } }); // a typo'd key is never decided without its tags
  sameError({ ...good, extra: 1 });
  sameError({ ...good, asset: { ...good.asset, qualifiedName: "a//b" } });
  sameError({ ...good, asset: { ...good.asset, tags: [1] } });
  sameError({ ...good, action: "update", asset: { qualifiedName: "glossary/t", typeName: "AtlasGlossaryTerm" } });
  // Fields an object only inherits are not in its JSON, so the fast path must not read them
  // (such objects still see `constructor === Object` through their prototype chain).
  sameError(Object.assign(Object.create({ user: good.user }), { action: good.action, asset: good.asset }));
  sameError({ ...good, asset: Object.assign(Object.create({ qualifiedName: good.asset.qualifiedName }), { typeName: good.asset.typeName }) });
  same([good, Object.assign(Object.create(null), good), { ...good, asset: Object.assign(Object.create(null), good.asset) }]);
  same([good, { ...good, asset: { ...good.asset, tags: ["TAG\0_1", "TAG_1"] } }]);
  // After the refusals, the numbering still agrees with the engine's.
  same(all.slice(0, 500));
});

test("decideMany numbers names that Object.prototype also has like any other name", async () => {
  // The fast path keeps its string numbers in a null-prototype object: "__proto__",
  // "constructor", "toString" and index-like names must be plain keys there.
  const names = ["__proto__", "constructor", "toString", "hasOwnProperty", "0", "4294967295"];
  const config = walkthrough();
  config.users.push(...names.map((name) => ({ name, role: "member", groups: name === "0" ? ["snowflake-admins"] : [] })));
  config.personas[0].users.push("__proto__", "toString");
  config.purposes[0].tags.push("constructor");
  const engine = PolicyEngine.fromConfig(config);
  const batch = names.flatMap((user) => [
    { user, action: "update", asset: table(`${LOOKER}/marketing/__proto__`, ["constructor", "__proto__"]) },
    { user, action: "query", asset: column(`${SNOWFLAKE}/DB/S/T/constructor`, ["constructor"]) },
  ]);
  const fast = engine.decideMany(batch);
  assert.deepStrictEqual(fast, engine.decideMany(JSON.stringify(batch)));
  // "__proto__" and "toString" are in the persona, "0" is a Snowflake admin by group.
  const granted = fast.map((d, i) => (d.allowed ? `${batch[i].user} ${batch[i].action} ${d.reason}` : null)).filter(Boolean);
  assert.deepStrictEqual(granted, ["__proto__ update persona-grant", "toString update persona-grant", "0 query connection-admin"]);
  const { stages } = await import("../dist/access.js");
  const numbered = stages.stateOf(engine).ids;
  assert.ok(names.every((name) => numbered.has(name)) && numbered.has("constructor"));
  assert.equal(numbered.size, new Set([...names, "update", "query", "Table", "Column", ...batch.map((r) => r.asset.qualifiedName)]).size);
});
