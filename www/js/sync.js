// The sync dialog: mode and options, the preflight before anything is written (with the setup
// assistant one click away), a progress bar, Cancel, then the summary, the log and the local
// assets with their external tags. The pulled external tags persist in IndexedDB and feed the
// next run, as the data-quality tool keeps them.
import { h, field, checkbox, select, setOptions, statusRegion, setStatus, errorText, fmt, plural, replace, PagedTable } from "./ui.js";
import { kv } from "./store.js";

const MODES = [
  ["both", "Pull tags and push metadata"],
  ["pull", "Pull tags"],
  ["push", "Push metadata"],
];
const PHASES = { typedefs: "Reading tag and metadata definitions", search: "Searching the catalog", map: "Mapping assets", pull: "Pulling tags", push: "Pushing metadata", done: "Done" };
const ACTIONS = ["map", "tags", "metadata", "announcement", "typedefs", "search"];
const RESULTS = ["mapped", "unmapped", "ambiguous", "updated", "unchanged", "written", "planned", "set", "cleared", "kept", "skipped", "error", "created"];

export function mountSync(el, ctx) {
  const catalogSelect = h("select");
  const inventorySource = select([["sandbox", "Sandbox inventory (GET /sandbox/inventory)"], ["file", "A JSON file"]]);
  const inventoryFile = h("input", { type: "file", accept: "application/json,.json" });
  const fileField = field("Inventory file", inventoryFile);
  const inventoryState = h("p", { class: "hint", role: "status", "aria-live": "polite" });
  const forget = h("button", { type: "button", class: "link" }, "Forget the pulled external tags");

  const mode = h("fieldset", {}, h("legend", {}, "Mode"), MODES.map(([value, label], i) => {
    const input = h("input", { type: "radio", name: "sync-mode", value, id: `sync-mode-${value}`, checked: i === 0 });
    return h("div", { class: "check" }, input, h("label", { for: input.id }, label));
  }));
  const announcements = checkbox("Announcements for active anomalies", { checked: true });
  const overwrite = checkbox("Overwrite local tags named like catalog tags");
  const propagated = checkbox("Include propagated tags");
  const dryRun = checkbox("Dry run (plan only, write nothing)");
  const options = h("fieldset", {}, h("legend", {}, "Options"), announcements.wrap, overwrite.wrap, propagated.wrap, dryRun.wrap);

  const preflightButton = h("button", { type: "button" }, "Run preflight");
  const startButton = h("button", { type: "button", class: "primary" }, "Start sync");
  const anywayButton = h("button", { type: "button", hidden: true }, "Sync anyway");
  const cancelButton = h("button", { type: "button", disabled: true }, "Cancel");

  const progress = h("progress", { max: 1, value: 0, "aria-labelledby": "sync-progress-label" });
  const progressLabel = h("p", { id: "sync-progress-label", class: "hint" }, "Not running.");
  const status = statusRegion({ id: "sync-status" });
  const preflightHost = h("div", { id: "sync-preflight" });
  const summaryHost = h("div", { id: "sync-summary" });

  const log = new PagedTable({
    caption: "Sync log",
    columns: [
      { key: "asset", label: "Asset", value: (r) => r.asset ?? r.qualifiedName ?? "" },
      { key: "action", label: "Action" },
      { key: "result", label: "Result", render: (r) => h("span", { class: `badge ${r.result === "error" ? "bad" : ["written", "set", "cleared", "updated", "created"].includes(r.result) ? "ok" : ""}` }, r.result) },
      { key: "message", label: "Message" },
    ],
    filters: [
      { key: "action", label: "Action", options: ACTIONS },
      { key: "result", label: "Result", options: RESULTS },
    ],
    emptyText: "No sync has run yet.",
  });
  const assetsHost = h("div", { class: "tree", id: "sync-assets" });

  el.append(
    h("div", { class: "form" },
      h("div", { class: "row" }, field("Catalog integration", catalogSelect), field("Inventory", inventorySource), fileField),
      inventoryState,
      h("div", { class: "row" }, mode, options),
      h("div", { class: "actions" }, preflightButton, startButton, anywayButton, cancelButton),
    ),
    h("div", {}, progressLabel, progress),
    status,
    preflightHost,
    summaryHost,
    h("h3", {}, "Log"),
    log.el,
    h("h3", {}, "Local assets and their external tags"),
    h("p", { class: "hint" }, "Datastore → table → field, as the data-quality tool shows them: its own tags, then the external tags pulled from the catalog (outlined). ", forget),
    assetsHost,
  );

  let controller = null;
  let inventory = null;
  const storeKey = () => `inventory:${catalogSelect.value}`;

  function refreshIntegrations() {
    const catalogs = ctx.integrations.list().filter((i) => i.type === "catalog");
    setOptions(catalogSelect, catalogs.map((i) => [i.id, i.name]));
    startButton.disabled = preflightButton.disabled = catalogs.length === 0 || controller !== null;
    if (catalogs.length === 0) setStatus(status, "Add a catalog integration first.", "warn");
  }

  function refreshSource() {
    fileField.hidden = inventorySource.value !== "file";
  }

  /** The inventory to sync: the stored one (with the external tags of the last pull), else the chosen source. */
  async function loadInventory() {
    const stored = await kv.get(storeKey()).catch(() => undefined);
    if (stored && stored.source === inventorySource.value) {
      inventory = stored.inventory;
      inventoryState.textContent = `Using the inventory saved after the last pull (${new Date(stored.savedAt).toLocaleString()}), with its external tags.`;
      return inventory;
    }
    if (inventorySource.value === "sandbox") {
      const response = await fetch("/sandbox/inventory");
      if (!response.ok) throw new Error(`GET /sandbox/inventory: HTTP ${response.status}`);
      inventory = await response.json();
    } else {
      const file = inventoryFile.files?.[0];
      if (!file) throw Object.assign(new Error("Inventory file: choose a JSON file"), { code: "INVALID_INVENTORY" });
      inventory = await file.text();
    }
    inventoryState.textContent = "Using the inventory as the source gives it (no external tags pulled yet).";
    return inventory;
  }

  function settings() {
    return {
      mode: el.querySelector('input[name="sync-mode"]:checked')?.value ?? "both",
      options: {
        announcements: announcements.input.checked,
        overwriteTags: overwrite.input.checked,
        includePropagated: propagated.input.checked,
        dryRun: dryRun.input.checked,
      },
    };
  }

  function integration() {
    return ctx.integrations.get(catalogSelect.value);
  }

  function busy(running) {
    startButton.disabled = preflightButton.disabled = running;
    cancelButton.disabled = !running;
    anywayButton.disabled = running;
  }

  async function runPreflight() {
    const item = integration();
    if (!item) return null;
    setStatus(status, "Checking what the token can read and write (preflight)…", "busy");
    replace(preflightHost);
    const catalog = ctx.catalogClient(item);
    try {
      const accessConfig = ctx.sandbox && item.sandbox ? await (await fetch("/sandbox/access-config")).json() : undefined;
      const report = await ctx.steward.preflight({ catalog, inventory: await loadInventory(), options: { mode: settings().mode, ...(accessConfig ? { accessConfig } : {}) } });
      showPreflight(report, item);
      return report;
    } finally {
      catalog.free();
    }
  }

  function showPreflight(report, item) {
    const blocked = [...report.cannotRead.map((b) => ({ ...b, what: "read" })), ...report.cannotWrite.map((b) => ({ ...b, what: "write" }))];
    const head = report.ok
      ? `Preflight ok: ${report.user} can read and write all ${fmt(report.mapped)} mapped assets.`
      : `Preflight: ${report.user} is blocked on ${plural(blocked.length, "asset")} (${fmt(report.mapped)} mapped, ${fmt(report.unmapped)} unmapped, ${fmt(report.ambiguous)} ambiguous).`;
    setStatus(status, head, report.ok ? "ok" : "warn");
    if (report.ok && report.advice.length === 0) return;
    const parts = [h("h3", {}, "Preflight")];
    if (blocked.length) {
      parts.push(
        h("div", { class: "table-wrap" },
          h("table", {},
            h("caption", { class: "visually-hidden" }, "Assets the token cannot read or write"),
            h("thead", {}, h("tr", {}, ["Asset", "Qualified name", "Cannot", "Actions", "Why"].map((t) => h("th", { scope: "col" }, t)))),
            h("tbody", {}, blocked.slice(0, 200).map((b) => h("tr", {}, h("td", {}, b.asset), h("td", {}, h("code", {}, b.qualifiedName)), h("td", {}, b.what), h("td", {}, b.actions.join(", ")), h("td", {}, b.reason)))),
          ),
        ),
      );
      if (blocked.length > 200) parts.push(h("p", { class: "hint" }, `… and ${fmt(blocked.length - 200)} more.`));
    }
    for (const advice of report.advice) parts.push(h("p", {}, advice));
    if (!report.ok) parts.push(setupAssistant(item));
    replace(preflightHost, parts);
    anywayButton.hidden = report.mapped === 0;
  }

  /** The setup assistant: with an admin token it does the catalog's persona + policy steps. */
  function setupAssistant(item) {
    const admin = h("input", { type: "password", autocomplete: "off", spellcheck: "false" });
    const connections = h("input", { type: "text", value: "default/snowflake/1700000000", spellcheck: "false" });
    const run = h("button", { type: "button" }, "Run setup assistant");
    const result = statusRegion({ id: "sync-setup-status" });
    run.addEventListener("click", async () => {
      const adminToken = admin.value.trim();
      if (!adminToken) return setStatus(result, "Admin token: required (it is used for this request only and not kept).", "error");
      run.disabled = true;
      setStatus(result, "Setting up the persona and policy…", "busy");
      const adminClient = new ctx.steward.CatalogClient({ baseUrl: ctx.baseUrlFor(item.url), token: adminToken });
      const integrationClient = ctx.catalogClient(item);
      admin.value = "";
      try {
        const setup = await ctx.steward.setupIntegration({ admin: adminClient, integration: integrationClient, connections: connections.value.split(",").map((c) => c.trim()).filter(Boolean) });
        const steps = setup.steps.map((s) => `${s.step}: ${s.status} — ${s.detail}`).join("\n");
        if (setup.applied) setStatus(result, `Done for ${setup.user}:\n${steps}\nRun the preflight again.`, "ok");
        else setStatus(result, `This token may not make the changes. Create by hand:\n${(setup.manual?.steps ?? []).join("\n")}`, "warn");
      } catch (err) {
        setStatus(result, errorText(err), "error");
      } finally {
        adminClient.free();
        integrationClient.free();
        run.disabled = false;
      }
    });
    return h("details", { open: true },
      h("summary", {}, "Setup assistant"),
      h("p", { class: "hint" }, "Creates the persona, its metadata policy (read, update, update-custom-metadata, add-tags, remove-tags on the connections) and adds this token's user — with an admin token, used once and not kept. Running it twice changes nothing."),
      h("div", { class: "row" }, field("Admin token", admin, { grow: true, hint: item.sandbox ? "The sandbox's admin token is listed in the README." : "An API token of a catalog admin." }), field("Connections", connections, { grow: true })),
      h("div", { class: "actions" }, run),
      result,
    );
  }

  async function startSync({ skipPreflight = false } = {}) {
    const item = integration();
    if (!item) return;
    busy(true);
    replace(summaryHost);
    try {
      if (!skipPreflight) {
        const preflight = await runPreflight();
        if (!preflight?.ok) {
          anywayButton.hidden = !preflight || preflight.mapped === 0;
          return;
        }
      }
      anywayButton.hidden = true;
      await sync(item);
    } catch (err) {
      setStatus(status, errorText(err), "error");
    } finally {
      controller = null;
      busy(false);
    }
  }

  async function sync(item) {
    const { mode, options } = settings();
    controller = new AbortController();
    cancelButton.disabled = false;
    const catalog = ctx.catalogClient(item);
    setStatus(status, `${options.dryRun ? "Dry run" : "Sync"} running…`, "busy");
    const started = performance.now();
    let report;
    try {
      report = await ctx.steward.runSync({
        catalog,
        inventory: inventory ?? (await loadInventory()),
        mode,
        options,
        signal: controller.signal,
        onProgress: ({ phase, done, total }) => {
          if (phase === "done") return;
          progress.max = Math.max(total, 1);
          progress.value = Math.min(done, progress.max);
          progressLabel.textContent = `${PHASES[phase] ?? phase}: ${fmt(done)} of ${fmt(total)}`;
        },
      });
    } finally {
      catalog.free();
    }
    progressLabel.textContent = report.cancelled ? "Cancelled." : `Finished in ${((performance.now() - started) / 1000).toFixed(1)} s.`;
    if (!report.cancelled) progress.value = progress.max;
    showSummary(report);
    log.setRows(report.log);
    if (report.inventory && !report.dryRun) {
      inventory = report.inventory;
      await kv.set(storeKey(), { source: inventorySource.value, inventory: report.inventory, savedAt: Date.now() }).catch(() => {});
      inventoryState.textContent = "External tags saved in this browser; the next run starts from them.";
    }
    renderAssets(report.inventory ?? inventory);
  }

  function showSummary(report) {
    const c = report.counts;
    const what = { pull: "Pulled tags", push: "Pushed metadata", both: "Pulled tags and pushed metadata" }[report.mode];
    const lead = report.cancelled ? "Cancelled: requests in flight finished; writes not sent are logged as skipped. Run again to complete." : report.dryRun ? `Dry run: nothing was written (${plural(report.plannedWrites.length, "planned write")}).` : `${what}.`;
    setStatus(status, `${lead} ${plural(c.errors, "error")}.`, c.errors ? "warn" : report.cancelled ? "warn" : "ok");
    const rows = [
      ["Mapped", c.mapped], ["Unmapped", c.unmapped], ["Ambiguous", c.ambiguous],
      ["Tags added", c.tagsAdded], ["Tags removed", c.tagsRemoved],
      ["Metadata written", c.metadataWritten], ["Metadata unchanged", c.metadataUnchanged],
      ["Announcements set", c.announcementsSet], ["Announcements cleared", c.announcementsCleared], ["Announcements kept", c.announcementsKept],
      ["Errors", c.errors],
      ["Requests", `${plural(report.requests.searches, "search", "searches")}, ${plural(report.requests.reads, "read")}, ${plural(report.requests.writes, "write")}`],
    ];
    replace(summaryHost,
      h("h3", {}, "Summary"),
      h("dl", { class: "counts" }, rows.map(([k, v]) => h("div", { class: "count" }, h("dt", {}, k), h("dd", {}, fmt(v))))),
    );
  }

  /** The inventory as a tree: datastore → table → field, tags and external tags. */
  function renderAssets(inv) {
    if (!inv || typeof inv !== "object" || !Array.isArray(inv.datastores)) {
      replace(assetsHost, h("p", { class: "empty" }, "Run a pull to see the external tags."));
      return;
    }
    const tags = (node) => [
      ...(node.tags ?? []).map((t) => h("span", { class: "tag" }, t)),
      ...(node.externalTags ?? []).map((t) => h("span", { class: "tag external", title: "External tag (from the catalog)" }, t)),
    ];
    const list = h("ul", {}, inv.datastores.map((ds) => {
      const tagged = (ds.containers ?? []).filter((c) => (c.externalTags?.length ?? 0) > 0 || (c.fields ?? []).some((f) => f.externalTags?.length));
      const details = h("details", {}, h("summary", {}, h("span", { class: "ds-name" }, ds.name), " ", tags(ds), h("span", { class: "hint" }, ` ${plural(ds.containers?.length ?? 0, "table")}, ${fmt(tagged.length)} with external tags`)));
      // Tables render when opened: a large inventory stays cheap until someone looks.
      details.addEventListener("toggle", () => {
        if (!details.open || details.dataset.rendered) return;
        details.dataset.rendered = "yes";
        details.append(h("ul", {}, (ds.containers ?? []).map((c) =>
          h("li", { "data-asset": `${ds.name}.${c.name}` }, h("strong", {}, c.name), " ", tags(c),
            h("ul", {}, (c.fields ?? []).filter((f) => f.tags?.length || f.externalTags?.length).map((f) => h("li", {}, h("code", {}, f.name), " ", tags(f))))))));
      }, { once: false });
      return h("li", {}, details);
    }));
    replace(assetsHost, list);
  }

  inventorySource.addEventListener("change", () => {
    refreshSource();
    inventory = null;
  });
  catalogSelect.addEventListener("change", async () => {
    inventory = null;
    const stored = await kv.get(storeKey()).catch(() => undefined);
    renderAssets(stored?.inventory);
  });
  forget.addEventListener("click", async () => {
    await kv.delete(storeKey()).catch(() => {});
    inventory = null;
    inventoryState.textContent = "Forgotten: the next run starts from the source inventory.";
    renderAssets(null);
  });
  preflightButton.addEventListener("click", async () => {
    busy(true);
    try {
      await runPreflight();
    } catch (err) {
      setStatus(status, errorText(err), "error");
    } finally {
      busy(false);
    }
  });
  startButton.addEventListener("click", () => startSync());
  anywayButton.addEventListener("click", () => startSync({ skipPreflight: true }));
  cancelButton.addEventListener("click", () => {
    controller?.abort();
    setStatus(status, "Cancelling: the requests in flight finish first…", "busy");
  });
  ctx.integrations.addEventListener("change", refreshIntegrations);
  refreshIntegrations();
  refreshSource();
  kv.get(storeKey()).then((stored) => renderAssets(stored?.inventory)).catch(() => renderAssets(null));
}
