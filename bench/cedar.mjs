// Translates the benchmark's access config into Cedar policies and entities, so the same
// decisions can be put through @cedar-policy/cedar-wasm and compared with Steward's.
// Covers what the scenario uses: metadata actions and `query` on SQL assets, personas,
// purposes, connection admins (users, groups, roles), the guest ceiling, disabled things.
import { METADATA_ACTIONS } from "./scenario.mjs";

const q = (s) => JSON.stringify(s);
const uid = (type, id) => ({ type, id });
const actionList = (actions) => `[${actions.map((a) => `Action::${q(a)}`).join(", ")}]`;

export function toCedar(config) {
  const policies = [];
  const add = (text) => policies.push(text);
  // Entity parents: users → groups/personas/purposes/admin sets; groups → personas/purposes/admin sets.
  const userParents = new Map(config.users.map((u) => [u.name, u.groups.map((g) => uid("Group", g))]));
  const groupParents = new Map(config.groups.map((g) => [typeof g === "string" ? g : g.name, []]));
  const member = (users, groups, parent) => {
    for (const u of users) userParents.get(u)?.push(parent);
    for (const g of groups) groupParents.get(g)?.push(parent);
  };

  for (const c of config.connections) {
    const admins = uid("AdminSet", c.qualifiedName);
    member(c.admins.users ?? [], c.admins.groups ?? [], admins);
    const all = actionList([...METADATA_ACTIONS, "query"]);
    add(`permit(principal in AdminSet::${q(c.qualifiedName)}, action in ${all}, resource in Asset::${q(c.qualifiedName)});`);
    for (const role of c.admins.roles ?? [])
      add(`permit(principal, action in ${all}, resource in Asset::${q(c.qualifiedName)}) when { principal.role == ${q(role)} };`);
  }
  for (const p of config.personas) {
    if (!p.enabled) continue;
    member(p.users, p.groups, uid("Persona", p.name));
    for (const pol of p.policies) {
      if (pol.enabled === false || pol.effect === "mask") continue; // masks grant nothing
      const verb = pol.effect === "deny" ? "forbid" : "permit";
      for (const res of pol.resources) {
        const scope = res === "*" ? "resource" : `resource in Asset::${q(res.slice("entity:".length))}`;
        add(`${verb}(principal in Persona::${q(p.name)}, action in ${actionList(pol.actions)}, ${scope});`);
      }
    }
  }
  for (const p of config.purposes) {
    if (!p.enabled) continue;
    if (!p.allUsers) member(p.users, p.groups, uid("Purpose", p.name));
    const who = p.allUsers ? "principal" : `principal in Purpose::${q(p.name)}`;
    const tagSet = `[${p.tags.map(q).join(", ")}]`;
    for (const pol of p.policies) {
      if (pol.enabled === false || pol.effect === "mask") continue;
      const verb = pol.effect === "deny" ? "forbid" : "permit";
      add(`${verb}(${who}, action in ${actionList(pol.actions)}, resource) when { resource.tags.containsAny(${tagSet}) };`);
    }
  }
  add(`forbid(principal, action in ${actionList(METADATA_ACTIONS.filter((a) => a !== "read"))}, resource) when { principal.role == "guest" };`);

  const users = new Map(config.users.map((u) => [u.name, u]));
  /** The entities one request needs: the principal with its groups, the asset with its ancestors. */
  function entitiesFor(request) {
    const u = users.get(request.user);
    const out = [{ uid: uid("User", u.name), attrs: { role: u.role }, parents: userParents.get(u.name) }];
    for (const g of u.groups) out.push({ uid: uid("Group", g), attrs: {}, parents: groupParents.get(g) ?? [] });
    const segments = request.asset.qualifiedName.split("/");
    for (let n = segments.length; n >= 3; n--) {
      const qn = segments.slice(0, n).join("/");
      const parent = n > 3 ? [uid("Asset", segments.slice(0, n - 1).join("/"))] : [];
      out.push({ uid: uid("Asset", qn), attrs: n === segments.length ? { tags: request.asset.tags } : { tags: [] }, parents: parent });
    }
    return out;
  }
  return { policyText: policies.join("\n"), policyCount: policies.length, entitiesFor };
}
