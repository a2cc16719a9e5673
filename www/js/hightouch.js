// The Hightouch area (SPEC §4, §7): the setup guide's checklist, the role generator and checker,
// the key check and the crawl preview drawn as a graph. Every verdict comes from the package
// (`hightouchSetupSteps`, `hightouchCatalogRole`, `HightouchPolicy`, `checkHightouchKey`); this
// module only wires the DOM. Text from a workspace (names, messages) is only ever set as text.
import { h, field, checkbox, setOptions, statusRegion, setStatus, copyButton, errorText, fmt, plural, replace, uid } from "./ui.js";
import { kv } from "./store.js";

const SVG_NS = "http://www.w3.org/2000/svg";
/** The crawl preview's columns, in the flow's order. */
const KINDS = ["source", "model", "sync", "destination"];
const COLUMN_TITLES = { source: "Sources", model: "Models", sync: "Syncs", destination: "Destinations" };
const MANUAL_KEY = "hightouch:manual-steps";
const MANUAL_DONE = "Marked done by you — not verifiable by API";

export function mountHightouch(el, ctx) {
  const { steward } = ctx;
  const steps = steward.hightouchSetupSteps();
  const roleText = JSON.stringify(steward.hightouchCatalogRole(), null, 2);

  // ---- The checklist -------------------------------------------------------------------
  /** Per step: `{step, li, badge, status, setState(state, badgeText, statusText)}`. */
  const stepViews = new Map();
  const progress = h("p", { class: "ht-progress hint", role: "status", "aria-live": "polite" });
  const checklist = h("ol", { class: "steps ht-steps", "aria-label": "Setup steps" }, steps.map((step, i) => renderStep(step, i)));

  function renderStep(step, index) {
    const badge = h("span", { class: "badge ht-badge" });
    const status = h("p", { class: "ht-step-status", role: "status", "aria-live": "polite" });
    const titleId = uid("ht-step");
    const li = h("li", { class: "ht-step", "data-step": step.id, "data-verification": step.verification, "aria-labelledby": titleId },
      h("div", { class: "ht-step-head" },
        h("span", { class: "ht-step-num", "aria-hidden": "true" }, String(index + 1)),
        h("h4", { id: titleId }, step.title),
        badge,
      ),
      h("ol", { class: "ht-instructions" }, step.instructions.map((line) => h("li", {}, line))),
    );
    const verify = h("div", { class: "ht-verify" });
    const view = {
      step, li, badge, status,
      setState(state, badgeText, statusText) {
        li.dataset.state = state;
        badge.textContent = badgeText;
        badge.className = `badge ht-badge ${{ verified: "ok", failed: "bad", stale: "warn" }[state] ?? ""}`.trim();
        status.textContent = statusText;
        updateProgress();
      },
    };
    if (step.verification === "manual") {
      const done = checkbox("Done");
      done.input.dataset.step = step.id;
      // The visible label says "Done"; the accessible name also says which step.
      done.wrap.querySelector("label").append(h("span", { class: "visually-hidden" }, ` (${step.title})`));
      done.input.addEventListener("change", () => {
        setManual(view, done.input.checked);
        saveManual();
      });
      view.checkbox = done.input;
      verify.append(h("p", { class: "ht-how" }, step.howVerified), h("div", { class: "ht-verify-row" }, done.wrap, status));
      setManual(view, false);
    } else {
      const target = step.verification === "role-check" ? ["#ht-role-checker", "Go to the role checker"] : ["#ht-key-check", "Go to the key check"];
      verify.append(h("p", { class: "ht-how" }, step.howVerified), h("div", { class: "ht-verify-row" }, status, h("a", { href: target[0], class: "ht-jump" }, target[1])));
      view.setState("unchecked", "Not checked", step.verification === "role-check" ? "Not verified yet: check the role below." : "Not verified yet: check the key below.");
    }
    li.append(verify);
    stepViews.set(step.id, view);
    return li;
  }

  function setManual(view, done) {
    if (view.checkbox) view.checkbox.checked = done;
    // A manual step is never "verified": Steward can't see it.
    if (done) view.setState("done", "Marked done by you", `${MANUAL_DONE}.`);
    else view.setState("todo", "To do", "Not verifiable by API: tick Done once it is done.");
  }

  function updateProgress() {
    if (stepViews.size < steps.length) return;
    const views = [...stepViews.values()];
    const checked = views.filter((v) => v.step.verification !== "manual");
    const manual = views.filter((v) => v.step.verification === "manual");
    progress.textContent = `Verified by Steward: ${checked.filter((v) => v.li.dataset.state === "verified").length} of ${checked.length} · Marked done by you: ${manual.filter((v) => v.li.dataset.state === "done").length} of ${manual.length}`;
  }

  function saveManual() {
    const done = [...stepViews.values()].filter((v) => v.checkbox?.checked).map((v) => v.step.id);
    kv.set(MANUAL_KEY, done).catch(() => {});
  }

  kv.get(MANUAL_KEY)
    .then((done) => {
      if (!Array.isArray(done)) return;
      for (const view of stepViews.values()) if (view.checkbox && done.includes(view.step.id)) setManual(view, true);
    })
    .catch(() => {});

  // ---- Role generator ------------------------------------------------------------------
  const copyStatus = statusRegion({ id: "ht-copy-status" });
  const rolePre = h("pre", { id: "ht-role-json", class: "ht-role-json", tabindex: "0", "aria-label": "Generated atlan_role policy" }, roleText);
  const useInChecker = h("button", { type: "button" }, "Check this role");
  const generator = h("div", { class: "ht-block", id: "ht-role-generator" },
    h("h3", {}, "Role generator"),
    h("p", {}, "In Hightouch, open ", h("strong", {}, "Settings > Roles"), " and click ", h("strong", {}, "Add Role"), ". Name it ",
      h("code", {}, "atlan_role"), ", choose the ", h("strong", {}, "JSON Builder"), ", paste this policy and click ", h("strong", {}, "Add Role"), " to save it."),
    rolePre,
    h("div", { class: "actions" }, copyButton(() => roleText, { statusEl: copyStatus }), useInChecker),
    copyStatus,
  );

  // ---- Role checker --------------------------------------------------------------------
  const roleInput = h("textarea", { id: "ht-role-input", rows: "12", spellcheck: "false", autocomplete: "off", placeholder: '{"version": "2022-04-26", "policies": [...]}' });
  const checkRoleButton = h("button", { type: "button", class: "primary" }, "Check role");
  const roleResult = statusRegion({ id: "ht-role-result" });
  const explainAction = h("input", { type: "text", value: "read", spellcheck: "false", autocomplete: "off" });
  const explainResource = h("input", { type: "text", value: "sync", spellcheck: "false", autocomplete: "off" });
  const explainButton = h("button", { type: "button" }, "Explain");
  const explainResult = statusRegion({ id: "ht-explain-result" });
  const checker = h("div", { class: "ht-block", id: "ht-role-checker" },
    h("h3", {}, "Role checker"),
    h("p", { class: "hint" }, "Paste the role as Hightouch shows it (Settings > Roles > atlan_role, JSON). It must allow read on workspace, source, destination, model, sync and sync_templates — and nothing more."),
    field("Role policy (JSON)", roleInput, { grow: true, hint: "Ctrl+Enter checks it." }),
    h("div", { class: "actions" }, checkRoleButton),
    roleResult,
    h("details", { class: "ht-explain" },
      h("summary", {}, "Explain a decision"),
      h("p", { class: "hint" }, "Which statement of the pasted role decides an action on a resource (deny wins; nothing matching denies)."),
      h("div", { class: "row" }, field("Action", explainAction), field("Resource", explainResource), h("div", { class: "actions" }, explainButton)),
      explainResult,
    ),
  );

  /** The pasted role, parsed; throws the package's `INVALID_POLICY`. */
  function parseRole() {
    const text = roleInput.value.trim();
    if (!text) throw Object.assign(new Error("Role policy (JSON): paste a role policy first"), { code: "EMPTY" });
    return steward.HightouchPolicy.parse(text);
  }

  function showError(region, err, lead) {
    region.dataset.state = "error";
    if (err?.code === "INVALID_POLICY") {
      // The package joins every located problem with "; " — one per line reads better.
      const problems = String(err.message).split(/; (?=\(root\)|version\b|policies\b)/);
      replace(region, h("strong", {}, lead), h("ul", { class: "ht-problems" }, problems.map((p) => h("li", {}, p))));
    } else {
      replace(region, h("strong", {}, lead), " ", errorText(err));
    }
  }

  function checkRole() {
    const role = stepViews.get("role");
    let policy;
    try {
      policy = parseRole();
    } catch (err) {
      if (err?.code === "EMPTY") {
        setStatus(roleResult, err.message, "warn");
        role?.setState("unchecked", "Not checked", "Not verified yet: check the role below.");
      } else {
        showError(roleResult, err, "The role is not a valid policy:");
        role?.setState("failed", "Not verified", "Not verified: the pasted role is not a valid policy.");
      }
      return;
    }
    let verdict;
    try {
      verdict = policy.check();
    } finally {
      policy.free();
    }
    const parts = [];
    if (verdict.ok) parts.push(h("strong", {}, "Least-privilege: "), "the role allows read on the six resources the catalog needs, and nothing more.");
    else parts.push(h("strong", {}, "Not least-privilege."));
    if (verdict.missing.length) {
      parts.push(h("p", { class: "ht-result-head" }, `Missing read on ${plural(verdict.missing.length, "resource")}:`),
        h("ul", { class: "ht-missing" }, verdict.missing.map((r) => h("li", {}, h("code", {}, r)))));
    }
    if (verdict.tooBroad.length) {
      parts.push(h("p", { class: "ht-result-head" }, `Too broad — ${plural(verdict.tooBroad.length, "grant")} the catalog does not need:`),
        h("ul", { class: "ht-too-broad" }, verdict.tooBroad.map((g) => h("li", {}, h("code", {}, g.action), " on ", h("code", {}, g.resource)))));
    }
    if (verdict.warnings.length) {
      parts.push(h("p", { class: "ht-result-head" }, plural(verdict.warnings.length, "warning") + ":"),
        h("ul", { class: "ht-warnings" }, verdict.warnings.map((w) => h("li", {}, h("code", {}, w.path), ": ", w.message))));
    }
    roleResult.dataset.state = verdict.ok ? "ok" : "error";
    replace(roleResult, parts);
    if (verdict.ok) role?.setState("verified", "Verified", "Verified: the pasted role allows read on exactly what the catalog needs.");
    else {
      const what = [verdict.missing.length ? `${fmt(verdict.missing.length)} missing` : "", verdict.tooBroad.length ? `${fmt(verdict.tooBroad.length)} too broad` : ""].filter(Boolean).join(", ");
      role?.setState("failed", "Not verified", `Not verified: the pasted role is not least-privilege (${what}).`);
    }
  }

  function explain() {
    let policy;
    try {
      policy = parseRole();
    } catch (err) {
      if (err?.code === "EMPTY") setStatus(explainResult, err.message, "warn");
      else showError(explainResult, err, "The role is not a valid policy:");
      return;
    }
    try {
      const action = explainAction.value.trim();
      const resource = explainResource.value.trim();
      if (!action || !resource) return setStatus(explainResult, "Action and Resource: both are needed.", "warn");
      const why = policy.explain(action, resource);
      setStatus(explainResult, `${why.allowed ? "Allowed" : "Denied"}: ${why.message}`, why.allowed ? "ok" : "warn");
    } catch (err) {
      setStatus(explainResult, errorText(err), "error");
    } finally {
      policy.free();
    }
  }

  checkRoleButton.addEventListener("click", checkRole);
  explainButton.addEventListener("click", explain);
  roleInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      checkRole();
    }
  });
  roleInput.addEventListener("input", () => {
    const role = stepViews.get("role");
    if (role && role.li.dataset.state !== "unchecked" && role.li.dataset.state !== "stale") {
      role.setState("stale", "Changed", "Not verified: the role changed since the last check — check it again.");
    }
  });
  useInChecker.addEventListener("click", () => {
    roleInput.value = roleText;
    checkRole();
    roleInput.focus();
  });

  // ---- Key check -----------------------------------------------------------------------
  const integrationSelect = h("select", { id: "ht-integration" });
  const checkKeyButton = h("button", { type: "button", class: "primary" }, "Check key");
  const cancelKeyButton = h("button", { type: "button", disabled: true }, "Cancel");
  const keyStatus = statusRegion({ id: "ht-key-status" });
  const keyResult = h("div", { class: "ht-key-result" });
  const previewHost = h("div", { class: "ht-preview" }, h("p", { class: "empty" }, "Run the key check to see what the catalog's crawler would import with the key."));
  const keyCheck = h("div", { class: "ht-block", id: "ht-key-check" },
    h("h3", {}, "Key check"),
    h("p", { class: "hint" }, "Lists sources, destinations, models and syncs with the integration's API key, as the catalog's crawler will. The key is only sent to the integration's own URL."),
    h("div", { class: "row" }, field("Hightouch integration", integrationSelect), h("div", { class: "actions" }, checkKeyButton, cancelKeyButton)),
    keyStatus,
    keyResult,
  );
  const preview = h("div", { class: "ht-block", id: "ht-crawl-preview" },
    h("h3", {}, "Crawl preview"),
    previewHost,
  );

  function hightouchIntegrations() {
    return ctx.integrations.list().filter((i) => i.type === "hightouch");
  }

  function refreshIntegrations() {
    const items = hightouchIntegrations();
    if (items.length === 0) {
      setOptions(integrationSelect, [["", "No Hightouch integration yet"]]);
      integrationSelect.disabled = true;
      checkKeyButton.disabled = true;
      if (!keyStatus.textContent) setStatus(keyStatus, "Add a Hightouch integration (type Hightouch, its URL and API key) under Integrations first.", "warn");
      return;
    }
    setOptions(integrationSelect, items.map((i) => [i.id, i.sandbox && !/sandbox/i.test(i.name) ? `${i.name} (sandbox)` : i.name]));
    integrationSelect.disabled = false;
    checkKeyButton.disabled = running;
    if (keyStatus.dataset.state === "warn" && !keyResult.hasChildNodes()) setStatus(keyStatus, "");
  }

  let running = false;
  let controller = null;
  async function checkKey() {
    const integration = ctx.integrations.get(integrationSelect.value);
    if (!integration || running) return;
    const step = stepViews.get("api-key");
    running = true;
    controller = new AbortController();
    checkKeyButton.disabled = true;
    cancelKeyButton.disabled = false;
    setStatus(keyStatus, `Checking the key of ${integration.name}…`, "busy");
    replace(keyResult);
    replace(previewHost, h("p", { class: "empty" }, "Waiting for the key check…"));
    try {
      const client = ctx.hightouchClient(integration);
      const check = await steward.checkHightouchKey(client, { signal: controller.signal });
      showKeyCheck(check, integration);
      const unreadable = check.resources.filter((r) => !r.readable);
      const forbidden = unreadable.filter((r) => r.status === 403);
      // Other refusals (429, 5xx, 404 …) are about the URL or Hightouch, not the key's role.
      const byWhy = new Map();
      for (const r of unreadable.filter((r) => r.status !== 403)) byWhy.set(r.why, [...(byWhy.get(r.why) ?? []), r.resource]);
      const others = [...byWhy].map(([why, resources]) => `${resources.join(", ")}: ${why}`);
      if (check.ok) {
        setStatus(keyStatus, `${integration.name}: the key can read every list — ${check.resources.map((r) => `${fmt(r.count)} ${r.resource}${r.count === 1 ? "" : "s"}`).join(", ")}.`, "ok");
        step?.setState("verified", "Verified", `Verified with ${integration.name}: the key reads sources, destinations, models and syncs. (That it can do nothing else is the role checker's job.)`);
      } else if (!check.keyAccepted) {
        setStatus(keyStatus, `${integration.name}: Hightouch did not accept the key (HTTP 401).`, "error");
        step?.setState("failed", "Not verified", `Not verified: Hightouch did not accept the key of ${integration.name}.`);
      } else {
        const parts = [];
        if (forbidden.length) parts.push(`the key can't read ${forbidden.map((r) => r.resource).join(", ")} (HTTP 403: its role lacks read there)`);
        parts.push(...others);
        setStatus(keyStatus, `${integration.name}: ${parts.join("; ")}.`, "error");
        step?.setState("failed", "Not verified", forbidden.length
          ? `Not verified: the key of ${integration.name} can't read ${forbidden.map((r) => r.resource).join(", ")}.`
          : `Not verified: ${integration.name} did not answer every list — see the key check.`);
      }
    } catch (err) {
      if (err?.code === "ABORTED") {
        setStatus(keyStatus, `${integration.name}: key check cancelled.`, "warn");
        step?.setState("unchecked", "Not checked", "Not verified yet: check the key below.");
        replace(previewHost, h("p", { class: "empty" }, "No crawl preview: the key check was cancelled."));
      } else {
        keyStatus.dataset.state = "error";
        replace(keyStatus, h("strong", {}, `${integration.name}: the key check failed. `), h("code", { class: "ht-code" }, err?.code ?? "ERROR"), " ", String(err?.message ?? err));
        step?.setState("failed", "Not verified", `Not verified: the key check failed (${err?.code ?? "error"}).`);
        replace(previewHost, h("p", { class: "empty" }, "No crawl preview: the key check failed."));
      }
    } finally {
      running = false;
      controller = null;
      cancelKeyButton.disabled = true;
      checkKeyButton.disabled = hightouchIntegrations().length === 0;
    }
  }

  function showKeyCheck(check, integration) {
    const rows = check.resources.map((r) =>
      h("tr", { "data-resource": r.resource },
        h("th", { scope: "row" }, r.resource, h("span", { class: "ht-endpoint" }, r.endpoint)),
        h("td", {}, r.readable ? h("span", { class: "badge ok" }, "Yes") : h("span", { class: "badge bad" }, r.status ? `No · HTTP ${r.status}` : "No")),
        h("td", { class: "num" }, r.readable ? fmt(r.count) : "—"),
        h("td", {}, r.why, r.detail ? h("details", { class: "ht-detail" }, h("summary", {}, "Response"), h("code", {}, r.detail)) : null),
      ),
    );
    replace(keyResult,
      h("div", { class: "table-wrap" },
        h("table", { class: "ht-key-table" },
          h("caption", { class: "visually-hidden" }, `What the key of ${integration.name} can read`),
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Resource"), h("th", { scope: "col" }, "Readable"), h("th", { scope: "col", class: "num" }, "Objects"), h("th", { scope: "col" }, "Why"))),
          h("tbody", {}, rows),
        ),
      ),
      h("ul", { class: "ht-notes" }, check.notes.map((n) => h("li", {}, n))),
    );
    replace(previewHost, crawlPreview(check));
  }

  checkKeyButton.addEventListener("click", checkKey);
  cancelKeyButton.addEventListener("click", () => {
    controller?.abort();
    setStatus(keyStatus, "Cancelling the key check…", "busy");
  });
  ctx.integrations.addEventListener("change", refreshIntegrations);
  refreshIntegrations();

  el.append(
    h("div", { class: "ht-block", id: "ht-checklist" }, h("h3", {}, "Setup checklist"),
      h("p", { class: "hint" }, "The steps of Hightouch's setup guide for the catalog. Steward verifies the role and the key; the other steps happen where its API can't see them, so you tick them yourself."),
      progress, checklist),
    h("div", { class: "side-by-side ht-role-tools" }, generator, checker),
    keyCheck,
    preview,
  );
  updateProgress();
}

// ---- The crawl preview graph -----------------------------------------------------------

/** `svg("rect", {x: 1})`: an SVG element (attributes as text, children appended). */
function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) if (value !== undefined && value !== null && value !== false) el.setAttribute(key, String(value));
  for (const child of children.flat()) if (child !== undefined && child !== null && child !== false) el.append(child instanceof Node ? child : String(child));
  return el;
}

const NODE_H = 26;
const ROW_H = 36;
const GAP_X = 72;
const PAD = 16;
const HEAD_H = 34;
const LABEL_PAD = 12;
const MIN_COL = 110;
const MAX_COL = 250;

/** A text measurer in the graph's font (12px, the page's family). */
function measurer() {
  const context = document.createElement("canvas").getContext("2d");
  const family = getComputedStyle(document.body).fontFamily || "system-ui, sans-serif";
  return (text, weight = 400) => {
    if (!context) return text.length * 7;
    context.font = `${weight} 12px ${family}`;
    return context.measureText(text).width;
  };
}

/** `text`, cut with "…" to fit `width`. */
function fit(text, width, measure) {
  if (measure(text) <= width) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(`${text.slice(0, mid).trimEnd()}…`) <= width) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, lo).trimEnd()}…`;
}

/**
 * Lays the graph out in four columns: orders each column by the average place of its
 * neighbours (fewer crossings), spaces the fullest column evenly and pulls the others
 * towards their neighbours without overlapping.
 */
function layout(nodes, edges) {
  const columns = KINDS.map((kind) => nodes.filter((n) => n.kind === kind));
  const neighbours = new Map(nodes.map((n) => [n.id, []]));
  for (const e of edges) {
    if (!neighbours.has(e.from) || !neighbours.has(e.to)) continue;
    neighbours.get(e.from).push(e.to);
    neighbours.get(e.to).push(e.from);
  }
  const columnOf = new Map(nodes.map((n) => [n.id, KINDS.indexOf(n.kind)]));
  const rank = new Map();
  const setRanks = () => columns.forEach((col) => col.forEach((n, i) => rank.set(n.id, (i + 0.5) / col.length)));
  setRanks();
  const reorder = (c, side) => {
    const key = new Map(columns[c].map((n) => {
      const near = neighbours.get(n.id).filter((id) => columnOf.get(id) === c + side);
      return [n.id, near.length ? near.reduce((sum, id) => sum + rank.get(id), 0) / near.length : rank.get(n.id)];
    }));
    columns[c] = columns[c].map((n, i) => [n, i]).sort((a, b) => key.get(a[0].id) - key.get(b[0].id) || a[1] - b[1]).map(([n]) => n);
    setRanks();
  };
  for (let pass = 0; pass < 2; pass++) {
    for (let c = 1; c < KINDS.length; c++) reorder(c, -1);
    for (let c = KINDS.length - 2; c >= 0; c--) reorder(c, +1);
  }
  for (let c = 1; c < KINDS.length; c++) reorder(c, -1);

  const rows = Math.max(1, ...columns.map((col) => col.length));
  const height = rows * ROW_H;
  const y = new Map();
  columns.forEach((col) => {
    const slot = height / Math.max(col.length, 1);
    col.forEach((n, i) => y.set(n.id, slot * (i + 0.5)));
  });
  const fullest = columns.reduce((best, col, c) => (col.length > columns[best].length ? c : best), 0);
  for (let pass = 0; pass < 4; pass++) {
    columns.forEach((col, c) => {
      if (c === fullest || col.length === 0) return;
      const wanted = col.map((n) => {
        const near = neighbours.get(n.id).filter((id) => Math.abs(columnOf.get(id) - c) === 1);
        return near.length ? near.reduce((sum, id) => sum + y.get(id), 0) / near.length : y.get(n.id);
      });
      // Keep the order; at least one row apart; inside [ROW_H/2, height - ROW_H/2].
      for (let i = 0; i < wanted.length; i++) wanted[i] = Math.max(wanted[i], i === 0 ? ROW_H / 2 : wanted[i - 1] + ROW_H);
      for (let i = wanted.length - 1; i >= 0; i--) wanted[i] = Math.min(wanted[i], i === wanted.length - 1 ? height - ROW_H / 2 : wanted[i + 1] - ROW_H);
      col.forEach((n, i) => y.set(n.id, wanted[i]));
    });
  }
  return { columns, y, height };
}

/** What the catalog would import, drawn: sources → models → syncs → destinations. */
export function crawlPreview(check) {
  const { nodes, edges, dangling } = check.preview;
  if (nodes.length === 0) {
    return h("p", { class: "empty" }, "Nothing to preview: the key could not list anything.");
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const counts = Object.fromEntries(KINDS.map((k) => [k, nodes.filter((n) => n.kind === k && !n.missing).length]));
  const missing = nodes.filter((n) => n.missing);
  const summary = `${plural(counts.source, "source")}, ${plural(counts.model, "model")}, ${plural(counts.sync, "sync")}, ${plural(counts.destination, "destination")}` +
    (missing.length ? `, ${fmt(missing.length)} missing` : "");
  const measure = measurer();
  const { columns, y, height } = layout(nodes, edges);
  const access = new Map((check.resources ?? []).map((r) => [r.resource, r]));

  const label = (n) => (n.missing ? `${n.name} (missing)` : n.name);
  // Column heads count what was listed; missing nodes show themselves (dashed).
  const headText = (kind) => `${COLUMN_TITLES[kind]} · ${fmt(counts[kind])}`;
  const placeholder = (kind) => {
    const r = access.get(kind);
    return r && !r.readable ? `not readable${r.status ? ` (HTTP ${r.status})` : ""}` : "none listed";
  };
  const widths = KINDS.map((kind, c) => {
    const inside = columns[c].length ? columns[c].map((n) => measure(label(n)) + LABEL_PAD * 2) : [measure(placeholder(kind)) + 24];
    const widest = Math.max(measure(headText(kind), 600), ...inside);
    return Math.round(Math.min(MAX_COL, Math.max(MIN_COL, widest + 4)));
  });
  const xs = [];
  widths.reduce((x, w, c) => ((xs[c] = x), x + w + GAP_X), PAD);
  const width = xs[3] + widths[3] + PAD;
  const top = PAD + HEAD_H;
  const totalH = top + height + PAD;
  const box = new Map();
  KINDS.forEach((_, c) => columns[c].forEach((n) => box.set(n.id, { x: xs[c], y: top + y.get(n.id) - NODE_H / 2, w: widths[c] })));

  const reasons = new Map();
  for (const d of dangling) {
    for (const id of [d.to, d.from]) if (byId.get(id)?.missing) reasons.set(id, [...(reasons.get(id) ?? []), d.reason]);
  }
  // A dangling link is drawn in the flow's direction, whichever end refers to the other.
  const danglingEdge = new Set(dangling.flatMap((d) => [`${d.from}→${d.to}`, `${d.to}→${d.from}`]));

  const markerId = uid("ht-arrow");
  const edgeEls = edges.filter((e) => box.has(e.from) && box.has(e.to)).map((e) => {
    const a = box.get(e.from);
    const b = box.get(e.to);
    const x1 = a.x + a.w;
    const y1 = a.y + NODE_H / 2;
    const x2 = b.x - 2;
    const y2 = b.y + NODE_H / 2;
    const dx = Math.max(24, (x2 - x1) / 2);
    return svg("path", {
      class: danglingEdge.has(`${e.from}→${e.to}`) ? "edge dangling" : "edge",
      d: `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}`,
      "marker-end": `url(#${markerId})`,
      "data-from": e.from,
      "data-to": e.to,
    });
  });

  const nodeEls = nodes.filter((n) => box.has(n.id)).map((n) => {
    const b = box.get(n.id);
    const tip = [`${n.kind[0].toUpperCase()}${n.kind.slice(1)}: ${n.name}`, `id ${n.id.slice(n.kind.length + 1)}`, ...(reasons.get(n.id) ?? [])].join("\n");
    return svg("g", { class: `node ${n.kind}${n.missing ? " missing" : ""}`, "data-id": n.id },
      svg("title", {}, tip),
      svg("rect", { x: b.x, y: b.y, width: b.w, height: NODE_H, rx: 6 }),
      svg("rect", { class: "kind", x: b.x + 3, y: b.y + 5, width: 3, height: NODE_H - 10, rx: 1.5 }),
      svg("text", { x: b.x + LABEL_PAD, y: b.y + NODE_H / 2, "dominant-baseline": "central" }, fit(label(n), b.w - LABEL_PAD - 8, measure)),
    );
  });

  const heads = KINDS.map((kind, c) => {
    const parts = [svg("text", { class: "col-head", x: xs[c], y: PAD + 12, "dominant-baseline": "central" }, headText(kind))];
    if (columns[c].length === 0) {
      const text = placeholder(kind);
      parts.push(
        svg("rect", { class: "placeholder", x: xs[c], y: top + height / 2 - NODE_H / 2, width: widths[c], height: NODE_H, rx: 6 }),
        svg("text", { class: "placeholder-text", x: xs[c] + widths[c] / 2, y: top + height / 2, "text-anchor": "middle", "dominant-baseline": "central" }, fit(text, widths[c] - 12, measure)),
      );
    }
    return svg("g", { class: `column ${kind}` }, parts);
  });

  const graph = svg("svg", {
    viewBox: `0 0 ${width} ${totalH}`, width, height: totalH, role: "img",
    "aria-label": `Crawl preview graph: ${summary}. The same as text follows.`,
  },
    svg("defs", {}, svg("marker", { id: markerId, viewBox: "0 0 8 8", refX: 7, refY: 4, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, svg("path", { class: "arrow", d: "M0,0 L8,4 L0,8 z" }))),
    heads, svg("g", { class: "edges" }, edgeEls), svg("g", { class: "nodes" }, nodeEls),
  );

  // Hovering a node highlights what it connects to.
  const highlight = (id) => {
    graph.classList.toggle("focused", Boolean(id));
    for (const p of edgeEls) p.classList.toggle("hl", Boolean(id) && (p.dataset.from === id || p.dataset.to === id));
    for (const g of nodeEls) {
      const other = g.dataset.id;
      g.classList.toggle("hl", Boolean(id) && (other === id || edges.some((e) => (e.from === id && e.to === other) || (e.to === id && e.from === other))));
    }
  };
  for (const g of nodeEls) {
    g.addEventListener("pointerenter", () => highlight(g.dataset.id));
    g.addEventListener("pointerleave", () => highlight(null));
  }

  const name = (id) => {
    const n = byId.get(id);
    // Names are quoted: a sync's name often holds an arrow itself.
    return n ? `${n.kind} “${n.name}”${n.missing ? " (missing)" : ""}` : id;
  };
  const linked = new Set(edges.flatMap((e) => [e.from, e.to]));
  const alone = nodes.filter((n) => !linked.has(n.id));
  const text = h("details", { class: "ht-graph-text" },
    h("summary", {}, "The crawl preview as text"),
    h("p", { class: "hint" }, `${plural(edges.length, "link")} from source to model to sync to destination.`),
    edges.length ? h("ul", { class: "ht-edges" }, edges.map((e) => h("li", {}, `${name(e.from)} → ${name(e.to)}`))) : h("p", { class: "empty" }, "No links."),
    alone.length ? [h("p", {}, "Not linked to anything listed:"), h("ul", { class: "ht-alone" }, alone.map((n) => h("li", {}, name(n.id))))] : null,
    dangling.length
      ? [h("p", {}, "Missing — referred to but not listed:"), h("ul", { class: "ht-dangling" }, dangling.map((d) => h("li", {}, `${name(d.from)} → ${name(d.to)}: ${d.reason}`)))]
      : h("p", { class: "hint" }, "Nothing is missing: every reference was listed."),
  );

  return h("div", { class: "graph ht-graph" },
    h("p", { class: "ht-graph-summary" }, `What the catalog's crawler would import with this key: ${summary} (${plural(nodes.length, "node")}, ${plural(edges.length, "link")}).`),
    // Scrolls sideways on a narrow screen (focusable, so the keyboard can scroll it too).
    h("div", { class: "ht-graph-scroll", tabindex: "0", role: "group", "aria-label": "Crawl preview graph" }, graph),
    missing.length ? h("p", { class: "hint" }, "Dashed: referred to but not listed — hover for why, or open the text below.") : null,
    text,
  );
}
