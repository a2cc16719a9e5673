// The access simulator: "may this user do this on this asset, and why?", decided in the page by
// the package's PolicyEngine on an access config from the sandbox, a paste or the catalog's own
// Persona / Purpose / AuthPolicy entities, plus a users × actions matrix for one asset. The
// config in use is shared with the masked preview (`steward:access-config` on `document`).
import { h, field, select, setOptions, statusRegion, setStatus, errorText, fmt, plural, replace, uid } from "./ui.js";

/** SPEC §2's action families (names are the package's public API). */
const METADATA_ACTIONS = ["read", "update", "update-custom-metadata", "add-tags", "remove-tags", "add-terms", "remove-terms", "create", "delete"];
const GLOSSARY_ACTIONS = ["read", "create", "update", "link-terms", "delete", "add-tags", "remove-tags", "update-custom-metadata"];
const DOMAIN_ACTIONS = ["read", "update-domain", "create-subdomain", "update-subdomain", "create-product", "update-product", "delete-product",
  "update-custom-metadata-domain", "update-custom-metadata-subdomain", "update-custom-metadata-product"];
const GLOSSARY_TYPES = ["AtlasGlossary", "AtlasGlossaryTerm", "AtlasGlossaryCategory"];
const DOMAIN_TYPES = ["DataDomain", "DataProduct"];
const TYPE_NAMES = ["Connection", "Database", "Schema", "Table", "View", "MaterialisedView", "Column", ...GLOSSARY_TYPES, ...DOMAIN_TYPES];

/** What each decision reason means, in words (the reason code itself is shown too). */
export const REASONS = {
  "deny-policy": "an explicit deny policy applies (denies beat every grant, connection admin included)",
  "connection-admin": "the user is a connection admin of the asset's connection",
  "persona-grant": "a policy of a persona the user belongs to allows it",
  "purpose-grant": "a policy of a purpose that applies to the user and the asset's tags allows it",
  "glossary-default": "everyone may read glossaries",
  "guest-ceiling": "a guest is never granted a write action",
  "not-admin": "managing policies needs a user who is both an admin and a connection admin",
  "implicit-deny": "no policy grants it (denied by default)",
};

const CATALOG_ATTRIBUTES = ["name", "qualifiedName", "description", "personaUsers", "personaGroups", "purposeClassifications", "isAccessControlEnabled",
  "policies", "policyCategory", "policySubCategory", "policyType", "policyActions", "policyResources", "policyUsers", "policyGroups",
  "policyMaskType", "isPolicyEnabled", "accessControl", "connectionQualifiedName", "denyCustomMetadataGuids", "denyAssetTabs"];
const PAGE_SIZE = 300;

/** The actions valid on an asset of this type (SPEC §2: the family follows the asset). */
export function actionsFor(typeName) {
  if (GLOSSARY_TYPES.includes(typeName)) return GLOSSARY_ACTIONS;
  if (DOMAIN_TYPES.includes(typeName)) return DOMAIN_ACTIONS;
  if (typeName === "Connection") return [...METADATA_ACTIONS, "query", "manage-policies"];
  return [...METADATA_ACTIONS, "query"];
}

let current = null;

/** The access config the simulator uses now: `{config, engine, source}`, or null before one loads. */
export function currentAccessConfig() {
  return current;
}

/** The demo's sandbox tables the example assets come from (tags read from `/sandbox/sample`). */
const SNOWFLAKE = "default/snowflake/1700000000";
const EXAMPLE_TABLES = [
  { qn: `${SNOWFLAKE}/SALES_DB/SALES/CUSTOMERS`, columns: ["EMAIL"] },
  { qn: `${SNOWFLAKE}/FINANCE_DB/HR/EMPLOYEES`, columns: ["SSN"] },
  { qn: `${SNOWFLAKE}/FINANCE_DB/PAYMENTS/CARDS`, columns: [] },
  { qn: "default/postgres/1700000100/APP/PUBLIC/USERS", columns: [] },
];

const short = (qn) => qn.split("/").slice(3).join(".") || qn;
const splitTags = (text) => [...new Set(text.split(",").map((t) => t.trim()).filter(Boolean))];

export function mountSimulator(el, ctx) {
  const { steward } = ctx;

  // ---- Config source -------------------------------------------------------------------------
  const sources = [
    ["sandbox", "Sandbox live config"],
    ["paste", "Paste a config"],
    ["catalog", "Import from a catalog"],
  ];
  const sourceName = uid("sim-source");
  const radios = sources.map(([value, label]) => {
    const input = h("input", { type: "radio", name: sourceName, value, id: `${sourceName}-${value}`, disabled: value === "sandbox" && !ctx.sandbox });
    return { value, input, wrap: h("div", { class: "check" }, input, h("label", { for: input.id }, label)) };
  });
  const sourceSet = h("fieldset", { class: "sim-sources" }, h("legend", {}, "Config source"), radios.map((r) => r.wrap));

  const sandboxLoad = h("button", { type: "button" }, "Load config");
  const sandboxPanel = h("div", { class: "sim-panel", dataset: { source: "sandbox" } },
    h("p", { class: "hint" }, "The access config the sandbox catalog authorises every request with now (", h("code", {}, "GET /sandbox/access-config"),
      "), personas and policies written through its API included."),
    h("div", { class: "actions" }, sandboxLoad));

  const pasteArea = h("textarea", { rows: 12, spellcheck: "false", placeholder: '{"users": [...], "connections": [...], "personas": [...], "purposes": [...]}' });
  const pasteLoad = h("button", { type: "button" }, "Load config");
  const pastePanel = h("div", { class: "sim-panel", dataset: { source: "paste" }, hidden: true },
    field("Access config (JSON)", pasteArea, { grow: true, hint: "SPEC §2's access config: users, groups, connections, personas and purposes. A problem anywhere refuses the whole config, with its location." }),
    h("div", { class: "actions" }, pasteLoad));

  const catalogSelect = h("select");
  const catalogImport = h("button", { type: "button" }, "Import from catalog");
  const catalogHint = ctx.sandbox
    ? ["Reading personas, purposes and policies needs an admin token. The sandbox catalog integration uses ",
        h("code", {}, "sandbox-integration-token"), ", which may not read them: add a catalog integration with the admin token ",
        h("code", {}, "sandbox-admin-token"), " to import the sandbox's policies."]
    : ["Reading personas, purposes and policies needs an admin token (the catalog shows them to admins only)."];
  const catalogPanel = h("div", { class: "sim-panel", dataset: { source: "catalog" }, hidden: true },
    h("div", { class: "row" }, field("Catalog integration", catalogSelect), h("div", { class: "actions" }, catalogImport)),
    h("p", { class: "hint" }, catalogHint));
  const panels = [sandboxPanel, pastePanel, catalogPanel];

  const configStatus = statusRegion({ class: "status sim-config-status" });
  const issuesHost = h("div", { class: "sim-issues" });

  // ---- Request --------------------------------------------------------------------------------
  const userSelect = select([["", "Load an access config first"]]);
  userSelect.disabled = true;
  const actionSelect = h("select");
  const exampleSelect = h("select");
  const qnInput = h("input", { type: "text", spellcheck: "false", value: `${SNOWFLAKE}/SALES_DB/SALES/CUSTOMERS`, autocomplete: "off" });
  const typeList = h("datalist", { id: uid("sim-types") }, TYPE_NAMES.map((t) => h("option", { value: t })));
  const typeInput = h("input", { type: "text", spellcheck: "false", value: "Table", list: typeList.id, autocomplete: "off" });
  const tagsInput = h("input", { type: "text", spellcheck: "false", value: "", autocomplete: "off", placeholder: "PII, Confidential" });
  const glossaryInput = h("input", { type: "text", spellcheck: "false", autocomplete: "off" });
  const glossaryField = field("Glossary", glossaryInput, { hint: "The glossary the term or category belongs to." });
  glossaryField.hidden = true;
  const exampleField = field("Example asset", exampleSelect, { grow: true, hint: "Real assets of the sandbox catalog, with their tags." });
  exampleField.hidden = !ctx.sandbox;

  const decideButton = h("button", { type: "button", class: "primary", disabled: true }, "Decide");
  const matrixButton = h("button", { type: "button", disabled: true }, "Show matrix");
  const decision = h("div", { role: "status", "aria-live": "polite", class: "sim-decision", id: "simulator-decision" });
  const matrixStatus = statusRegion({ id: "simulator-matrix-status" });
  const matrixHost = h("div", { class: "sim-matrix", id: "simulator-matrix" });

  el.append(
    h("div", { class: "sim-config" }, h("h3", {}, "Access config"), sourceSet, ...panels, configStatus, issuesHost),
    h("div", { class: "sim-request" },
      h("h3", {}, "Request"),
      h("div", { class: "row" }, field("User", userSelect), field("Action", actionSelect)),
      h("div", { class: "row" }, exampleField),
      h("div", { class: "row" },
        field("Qualified name", qnInput, { grow: true }),
        field("Type name", typeInput),
        field("Tags", tagsInput, { hint: "Comma-separated display names." }),
        glossaryField,
        typeList),
      h("div", { class: "actions" }, decideButton, matrixButton)),
    decision,
    h("div", { class: "sim-matrix-area", id: "simulator-matrix-area" },
      h("h3", {}, "Users × actions"),
      h("p", { class: "hint" }, "Every user of the config against every action valid for the asset above, with the rule that decided."),
      matrixStatus,
      matrixHost),
  );

  // ---- Config handling --------------------------------------------------------------------------
  function use(config, engine, source) {
    current = { config, engine, source };
    const users = config.users ?? [];
    const keep = userSelect.value;
    setOptions(userSelect, users.map((u) => [u.name, `${u.name} — ${u.role}${u.groups?.length ? ` · ${u.groups.join(", ")}` : ""}`]), keep);
    userSelect.disabled = users.length === 0;
    decideButton.disabled = matrixButton.disabled = users.length === 0;
    const count = (list, one) => plural(list?.length ?? 0, one);
    setStatus(configStatus, `Using ${source}: ${count(config.users, "user")}, ${count(config.connections, "connection")}, ${count(config.personas, "persona")}, ${count(config.purposes, "purpose")}.`, "ok");
    replace(decision);
    replace(matrixHost);
    setStatus(matrixStatus, "");
    document.dispatchEvent(new CustomEvent("steward:access-config", { detail: { config, engine, source } }));
  }

  function compile(config, source) {
    const engine = steward.PolicyEngine.fromConfig(config);
    const object = typeof config === "string" ? JSON.parse(config) : config;
    use(object, engine, source);
  }

  async function loadSandbox() {
    setStatus(configStatus, "Loading the sandbox's access config…", "busy");
    replace(issuesHost);
    try {
      const response = await fetch("/sandbox/access-config");
      if (!response.ok) throw new Error(`GET /sandbox/access-config answered ${response.status}`);
      compile(await response.json(), "the sandbox's live config");
    } catch (err) {
      setStatus(configStatus, `Could not load the sandbox's access config: ${errorText(err)}`, "error");
    }
  }

  function loadPasted() {
    replace(issuesHost);
    const text = pasteArea.value.trim();
    if (!text) {
      setStatus(configStatus, "Paste an access config (JSON) first.", "warn");
      return;
    }
    try {
      compile(text, "the pasted config");
    } catch (err) {
      // INVALID_CONFIG lists every located problem, one a line.
      setStatus(configStatus, `The config was refused (${err?.code ?? "ERROR"}):\n${err?.message ?? err}`, "error");
    }
  }

  function refreshCatalogs() {
    const catalogs = ctx.integrations.list().filter((i) => i.type === "catalog");
    setOptions(catalogSelect, catalogs.map((i) => [i.id, i.name]));
    catalogSelect.disabled = catalogImport.disabled = catalogs.length === 0;
    if (catalogs.length === 0) setOptions(catalogSelect, [["", "No catalog integration yet"]]);
  }

  async function importFromCatalog() {
    const integration = ctx.integrations.get(catalogSelect.value);
    if (!integration) return;
    replace(issuesHost);
    catalogImport.disabled = true;
    setStatus(configStatus, `Reading personas, purposes and policies from ${integration.name}…`, "busy");
    let client;
    try {
      client = ctx.catalogClient(integration);
      const entities = [];
      for (let from = 0; ; from += PAGE_SIZE) {
        const page = await client.search({
          dsl: { from, size: PAGE_SIZE, query: { bool: { filter: [{ terms: { "__typeName.keyword": ["Persona", "Purpose", "AuthPolicy"] } }] } } },
          attributes: CATALOG_ATTRIBUTES,
        });
        const hits = page.entities ?? [];
        entities.push(...hits);
        if (hits.length < PAGE_SIZE || entities.length >= page.approximateCount) break;
      }
      if (entities.length === 0) {
        let who = "";
        try {
          const user = await client.whoami();
          who = ` It acts as ${user.username} (${(user.roles ?? []).join(", ") || "no role"}).`;
        } catch {
          // The search already answered; who the token is only adds detail.
        }
        const admin = ctx.sandbox ? " In the sandbox, use sandbox-admin-token." : "";
        setStatus(configStatus, `${integration.name} showed this token no Persona, Purpose or AuthPolicy: the catalog shows them to admins only.${who} Import with an admin token.${admin}`, "warn");
        return;
      }
      // Purpose tags are tag ids in the catalog; the tag definitions give their display names.
      let tagDefs = null;
      try {
        tagDefs = await client.typedefs();
      } catch {
        tagDefs = null;
      }
      const { config, issues } = steward.importCatalogPolicies(entities, tagDefs);
      compile(config, `the config imported from ${integration.name}`);
      pasteArea.value = JSON.stringify(config, null, 2);
      showIssues(issues, entities.length);
    } catch (err) {
      const forbidden = err?.code === "CATALOG_FORBIDDEN" || err?.code === "CATALOG_UNAUTHORIZED";
      const hint = forbidden ? `\nReading personas, purposes and policies needs an admin token${ctx.sandbox ? " (in the sandbox: sandbox-admin-token)" : ""}.` : "";
      setStatus(configStatus, `The import from ${integration.name} failed: ${errorText(err)}${hint}`, "error");
    } finally {
      client?.free?.();
      catalogImport.disabled = false;
    }
  }

  function showIssues(issues, count) {
    if (!issues.length) {
      replace(issuesHost, h("p", { class: "hint" }, `Imported ${plural(count, "entity", "entities")}; everything translated exactly.`));
      return;
    }
    replace(issuesHost,
      h("p", { class: "hint" }, "The imported config is under “Paste a config”, ready to edit."),
      h("div", { class: "table-wrap" },
        h("table", {},
          h("caption", {}, `What the import could not translate exactly (${fmt(issues.length)})`),
          h("thead", {}, h("tr", {}, ["Location", "Kind", "Message"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, issues.map((i) => h("tr", {}, h("td", {}, h("code", {}, i.location)), h("td", {}, i.kind), h("td", {}, i.message)))))));
  }

  function showSource(value) {
    for (const r of radios) r.input.checked = r.value === value;
    for (const p of panels) p.hidden = p.dataset.source !== value;
    if (value === "paste" && !pasteArea.value.trim() && current) pasteArea.value = JSON.stringify(current.config, null, 2);
  }

  for (const r of radios) r.input.addEventListener("change", () => r.input.checked && showSource(r.value));
  sandboxLoad.addEventListener("click", loadSandbox);
  pasteLoad.addEventListener("click", loadPasted);
  catalogImport.addEventListener("click", importFromCatalog);
  ctx.integrations.addEventListener("change", refreshCatalogs);
  refreshCatalogs();

  // ---- Asset and action ---------------------------------------------------------------------
  function refreshActions() {
    const typeName = typeInput.value.trim();
    setOptions(actionSelect, actionsFor(typeName).map((a) => [a, a]));
    glossaryField.hidden = !GLOSSARY_TYPES.includes(typeName);
  }
  typeInput.addEventListener("input", refreshActions);
  typeInput.addEventListener("change", refreshActions);
  refreshActions();

  let examples = [];
  async function loadExamples() {
    const found = [{ qualifiedName: SNOWFLAKE, typeName: "Connection", tags: [], label: `Connection · ${SNOWFLAKE}` }];
    for (const table of EXAMPLE_TABLES) {
      try {
        const response = await fetch(`/sandbox/sample?qualifiedName=${encodeURIComponent(table.qn)}&rows=1`);
        if (!response.ok) continue;
        const sample = await response.json();
        const tagText = (tags) => (tags.length ? ` (${tags.join(", ")})` : "");
        found.push({ qualifiedName: table.qn, typeName: sample.typeName, tags: sample.tags, label: `${sample.typeName} · ${short(table.qn)}${tagText(sample.tags)}` });
        for (const name of table.columns) {
          const column = sample.columns.find((c) => c.name === name);
          if (column) found.push({ qualifiedName: `${table.qn}/${name}`, typeName: "Column", tags: column.tags, label: `Column · ${short(table.qn)}.${name}${tagText(column.tags)}` });
        }
      } catch {
        // A missing example is just not offered.
      }
    }
    examples = found;
    setOptions(exampleSelect, [["", "Choose an example…"], ...examples.map((e, i) => [String(i), e.label])], "");
  }
  exampleSelect.addEventListener("change", () => {
    const example = examples[Number(exampleSelect.value)];
    if (!exampleSelect.value || !example) return;
    qnInput.value = example.qualifiedName;
    typeInput.value = example.typeName;
    tagsInput.value = example.tags.join(", ");
    refreshActions();
  });

  // Editing the asset by hand leaves the example.
  for (const input of [qnInput, typeInput, tagsInput]) input.addEventListener("input", () => (exampleSelect.value = ""));

  function asset() {
    const typeName = typeInput.value.trim();
    const a = { qualifiedName: qnInput.value.trim(), typeName, tags: splitTags(tagsInput.value) };
    if (GLOSSARY_TYPES.includes(typeName)) a.glossary = glossaryInput.value.trim();
    return a;
  }

  // ---- Decide -----------------------------------------------------------------------------------
  const ownerText = (ref) => `${ref.owner} “${ref.ownerName}” · policy “${ref.policy}”`;

  /** Who decided when no policy did: one of SPEC §2's built-in rules. */
  function builtIn(reason, a) {
    const connection = a.qualifiedName.split("/").slice(0, 3).join("/");
    switch (reason) {
      case "connection-admin": return `the connection admins of ${connection} (built-in rule)`;
      case "guest-ceiling": return "the guest ceiling (built-in rule)";
      case "glossary-default": return "the glossary-read default (built-in rule)";
      case "not-admin": return "the policy-management check (built-in rule)";
      case "implicit-deny": return "no grant: denied by default (built-in rule)";
      default: return "a built-in rule";
    }
  }

  function decide() {
    if (!current) return;
    const request = { user: userSelect.value, action: actionSelect.value, asset: asset() };
    let result;
    try {
      result = current.engine.decide(request);
    } catch (err) {
      decision.dataset.state = "error";
      replace(decision, h("p", { class: "sim-error" }, `The request could not be decided: ${errorText(err)}`));
      return;
    }
    decision.dataset.state = result.allowed ? "allowed" : "denied";
    const rows = [
      ["Reason", [h("code", {}, result.reason), ` — ${REASONS[result.reason] ?? ""}`]],
      ["Decided by", result.decidedBy ? ownerText(result.decidedBy) : builtIn(result.reason, request.asset)],
    ];
    if (result.allowed && request.action === "query") {
      rows.push(["Mask", result.mask ? [h("span", { class: "badge warn" }, result.mask), result.maskedBy ? ` by ${ownerText(result.maskedBy)}` : ""] : "none: values in clear"]);
    }
    replace(decision,
      h("p", { class: "sim-verdict" },
        h("span", { class: `badge ${result.allowed ? "ok" : "bad"}` }, result.allowed ? "✓ Allowed" : "✗ Denied"), " ",
        h("strong", {}, request.user), result.allowed ? " may " : " may not ", h("code", {}, request.action), " on ",
        h("span", { class: "mono" }, request.asset.qualifiedName), ` (${request.asset.typeName}${request.asset.tags.length ? `; tags ${request.asset.tags.join(", ")}` : ""})`),
      h("dl", { class: "sim-why" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
      result.policies.length
        ? h("div", { class: "table-wrap" },
            h("table", { class: "sim-policies" },
              h("caption", {}, `Matched policies (${fmt(result.policies.length)})`),
              h("thead", {}, h("tr", {}, ["Owner", "Owner name", "Policy", "Kind", "Effect", "Mask"].map((t) => h("th", { scope: "col" }, t)))),
              h("tbody", {}, result.policies.map((p) =>
                h("tr", {},
                  h("td", {}, p.owner), h("td", {}, p.ownerName), h("td", {}, p.policy), h("td", {}, p.kind),
                  h("td", {}, h("span", { class: `badge ${p.effect === "allow" ? "ok" : p.effect === "deny" ? "bad" : "warn"}` }, p.effect)),
                  h("td", {}, p.mask ?? "—"))))))
        : h("p", { class: "hint" }, "No persona or purpose policy matched this request."));
  }

  // ---- Matrix -----------------------------------------------------------------------------------
  function matrix() {
    if (!current) return;
    const a = asset();
    const users = current.config.users ?? [];
    const actions = actionsFor(a.typeName);
    let verdicts;
    try {
      verdicts = current.engine.decideMany(users.flatMap((u) => actions.map((action) => ({ user: u.name, action, asset: a }))), { explain: false });
    } catch (err) {
      setStatus(matrixStatus, `The matrix could not be decided: ${errorText(err)}`, "error");
      replace(matrixHost);
      return;
    }
    const allowed = verdicts.filter((v) => v.allowed).length;
    const label = `${a.typeName} ${a.qualifiedName}${a.tags.length ? ` (tags: ${a.tags.join(", ")})` : ""}`;
    setStatus(matrixStatus, `${plural(users.length, "user")} × ${plural(actions.length, "action")} on ${label}: ${fmt(allowed)} allowed, ${fmt(verdicts.length - allowed)} denied.`, "ok");
    replace(matrixHost,
      h("div", { class: "table-wrap" },
        h("table", { class: "sim-matrix-table" },
          h("caption", {}, `Access matrix for ${label}`),
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "User"), actions.map((action) => h("th", { scope: "col" }, action)))),
          h("tbody", {}, users.map((u, i) =>
            h("tr", {},
              h("th", { scope: "row" }, u.name, h("span", { class: "sim-role" }, `${u.role}${u.groups?.length ? ` · ${u.groups.join(", ")}` : ""}`)),
              actions.map((action, j) => {
                const v = verdicts[i * actions.length + j];
                return h("td", { class: `sim-cell ${v.allowed ? "allow" : "deny"}`, dataset: { user: u.name, action, reason: v.reason } },
                  h("span", { class: "sim-cell-verdict" }, v.allowed ? "✓ allow" : "✗ deny"),
                  h("span", { class: "sim-cell-reason" }, v.reason),
                  v.decidedBy ? h("span", { class: "sim-cell-policy" }, v.decidedBy.policy) : null,
                  v.mask ? h("span", { class: "badge warn" }, v.mask) : null);
              })))))));
  }

  decideButton.addEventListener("click", decide);
  matrixButton.addEventListener("click", matrix);

  // ---- Start --------------------------------------------------------------------------------------
  if (ctx.sandbox) {
    showSource("sandbox");
    loadSandbox();
    loadExamples();
  } else {
    showSource("paste");
    setStatus(configStatus, "Paste an access config, or import one from a catalog integration.", "");
  }
}
