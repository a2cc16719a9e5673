// The benchmark scenario of issue 3, generated deterministically in JS so the Node bench can
// feed the same config and requests to Steward and to Cedar: 1,000 personas + purposes × 10
// policies, 10,000 users, requests over 100,000 distinct assets with 0–3 tags.

/** mulberry32: a tiny seeded PRNG, so every run sees the same scenario. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const METADATA_ACTIONS = [
  "read", "update", "update-custom-metadata", "add-tags", "remove-tags", "add-terms", "remove-terms", "create", "delete",
];
const WRITE_ACTIONS = METADATA_ACTIONS.filter((a) => a !== "read");
const MASKS = ["SHOW_FIRST_4", "SHOW_LAST_4", "HASH", "NULLIFY", "REDACT"];

export function buildScenario({
  seed = 42,
  connections = 10,
  databases = 2,
  schemas = 10,
  tables = 500,
  users = 10_000,
  groups = 200,
  personas = 700,
  purposes = 300,
  policiesEach = 10,
  tagCount = 50,
  requests = 100_000,
} = {}) {
  const r = rng(seed);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const sample = (xs, n) => {
    const out = new Set();
    while (out.size < Math.min(n, xs.length)) out.add(pick(xs));
    return [...out];
  };

  const tags = Array.from({ length: tagCount }, (_, i) => `TAG_${i}`);
  const groupNames = Array.from({ length: groups }, (_, i) => `group-${i}`);
  const userList = Array.from({ length: users }, (_, i) => {
    const x = r();
    return {
      name: `user-${i}`,
      role: x < 0.05 ? "admin" : x < 0.9 ? "member" : "guest",
      groups: sample(groupNames, 1 + Math.floor(r() * 3)),
    };
  });

  // Containers: connection → database → schema; 100,000 tables below them.
  const connectionQNs = Array.from({ length: connections }, (_, i) => `default/snowflake/${1700000000 + i}`);
  const schemaQNs = [];
  for (const c of connectionQNs)
    for (let d = 0; d < databases; d++) for (let s = 0; s < schemas; s++) schemaQNs.push(`${c}/DB_${d}/SCHEMA_${s}`);
  const containerQNs = [...connectionQNs, ...schemaQNs.map((s) => s.split("/").slice(0, 4).join("/")), ...schemaQNs];
  const assets = [];
  for (const s of schemaQNs)
    for (let t = 0; t < tables; t++) assets.push({ qualifiedName: `${s}/TABLE_${t}`, typeName: "Table", tags: sample(tags, Math.floor(r() * 4)) });

  const connectionList = connectionQNs.map((qn, i) => ({
    qualifiedName: qn,
    name: `Snowflake ${i}`,
    connector: "snowflake",
    admins: { users: sample(userList, 2).map((u) => u.name), groups: [groupNames[i]], roles: i === 0 ? ["admin"] : [] },
  }));

  const policy = (i, kind, resources) => {
    const x = r();
    const effect = kind === "data" ? (x < 0.15 ? "deny" : x < 0.45 ? "mask" : "allow") : x < 0.1 ? "deny" : "allow";
    const p = {
      name: `policy-${i}`,
      kind,
      effect,
      actions: kind === "data" ? ["query"] : effect === "deny" ? sample(WRITE_ACTIONS, 2) : ["read", ...sample(WRITE_ACTIONS, Math.floor(r() * 4))],
      ...(effect === "mask" ? { mask: pick(MASKS) } : {}),
      ...(resources ? { resources } : {}),
      ...(r() < 0.05 ? { enabled: false } : {}),
    };
    return p;
  };
  const personaList = Array.from({ length: personas }, (_, i) => ({
    name: `persona-${i}`,
    enabled: r() > 0.03,
    users: sample(userList, 10).map((u) => u.name),
    groups: sample(groupNames, 2),
    policies: Array.from({ length: policiesEach }, (_, j) =>
      policy(j, r() < 0.7 ? "metadata" : "data", r() < 0.02 ? ["*"] : sample(containerQNs, 1 + Math.floor(r() * 3)).map((qn) => `entity:${qn}`)),
    ),
  }));
  const purposeList = Array.from({ length: purposes }, (_, i) => {
    const allUsers = r() < 0.1;
    return {
      name: `purpose-${i}`,
      enabled: r() > 0.03,
      tags: sample(tags, 1 + Math.floor(r() * 2)),
      allUsers,
      users: allUsers ? [] : sample(userList, 10).map((u) => u.name),
      groups: allUsers ? [] : sample(groupNames, 2),
      policies: Array.from({ length: policiesEach }, (_, j) => policy(j, r() < 0.6 ? "metadata" : "data", null)),
    };
  });

  const config = { users: userList, groups: groupNames, connections: connectionList, personas: personaList, purposes: purposeList };
  const requestList = Array.from({ length: requests }, () => {
    const asset = pick(assets);
    return { user: pick(userList).name, action: r() < 0.3 ? "query" : pick(METADATA_ACTIONS), asset };
  });
  return { config, requests: requestList, assets };
}
