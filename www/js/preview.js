// The masked preview: what a user would see in a table. Data comes from a paste, a local file or
// a sandbox table's sample rows; masks come from a user's access (the simulator's config, through
// PolicyEngine.previewTable) or are set per column (maskColumn). Parsing and masking run in a
// module worker (preview-worker.js), so 100,000 rows never block the page; tables render one
// page at a time. The SQL that applies the same masks in a warehouse comes from maskSql.
import { h, field, select, setOptions, statusRegion, setStatus, copyButton, errorText, fmt, plural, replace, uid } from "./ui.js";
import { currentAccessConfig } from "./simulator.js";

const MASKS = ["SHOW_FIRST_4", "SHOW_LAST_4", "HASH", "NULLIFY", "REDACT"];
const DIALECTS = [
  ["postgres", "PostgreSQL"],
  ["duckdb", "DuckDB"],
  ["snowflake", "Snowflake"],
  ["databricks", "Databricks"],
];
const PAGE_SIZE = 25;
const SNOWFLAKE = "default/snowflake/1700000000";
/** Demo tables with PII columns (and, in HR, Confidential ones). */
const SAMPLE_TABLES = [
  `${SNOWFLAKE}/SALES_DB/SALES/CUSTOMERS`,
  `${SNOWFLAKE}/SALES_DB/MARKETING/LEADS`,
  `${SNOWFLAKE}/SALES_DB/SALES/ORDERS`,
  `${SNOWFLAKE}/FINANCE_DB/PAYMENTS/CARDS`,
  `${SNOWFLAKE}/FINANCE_DB/HR/EMPLOYEES`,
];
const short = (qn) => qn.split("/").slice(3).join(".") || qn;
const splitTags = (text) => [...new Set(text.split(",").map((t) => t.trim()).filter(Boolean))];
const refText = (ref) => (ref ? `${ref.owner} “${ref.ownerName}” · ${ref.policy}` : "");

/** An identifier quoted for the dialect (backticks on Databricks, double quotes elsewhere). */
function quoteIdent(name, dialect) {
  return dialect === "databricks" ? `\`${name.replaceAll("`", "``")}\`` : `"${name.replaceAll('"', '""')}"`;
}

/** The worker, with promises for loads and callbacks for jobs. */
function startWorker(onFailure) {
  const worker = new Worker(new URL("./preview-worker.js", import.meta.url), { type: "module" });
  const waiting = new Map();
  const jobs = new Map();
  let next = 0;
  // The worker's module awaits the wasm before it listens: a message posted earlier could be
  // lost, so everything waits for its "ready".
  let isReady;
  const ready = new Promise((resolve) => (isReady = resolve));
  const post = (message) => ready.then(() => worker.postMessage(message));
  worker.addEventListener("message", ({ data }) => {
    if (data.type === "ready") return isReady();
    if (data.type === "error" && data.job !== undefined && jobs.has(data.job)) {
      jobs.get(data.job).onError(data.error);
      jobs.delete(data.job);
      return;
    }
    if (data.id !== undefined && waiting.has(data.id)) {
      const { resolve, reject } = waiting.get(data.id);
      waiting.delete(data.id);
      if (data.type === "error") reject(Object.assign(new Error(data.error.message), { code: data.error.code }));
      else resolve(data);
      return;
    }
    const job = jobs.get(data.job);
    if (!job) return;
    if (data.type === "progress") job.onProgress(data);
    else if (data.type === "column") job.onColumn(data);
    else if (data.type === "done" || data.type === "cancelled") {
      jobs.delete(data.job);
      job.onEnd(data);
    }
  });
  worker.addEventListener("error", (event) => {
    event.preventDefault?.();
    const message = event.message || "the masking worker could not start";
    for (const { reject } of waiting.values()) reject(new Error(message));
    waiting.clear();
    for (const job of jobs.values()) job.onError({ code: "WORKER", message });
    jobs.clear();
    onFailure(message);
  });
  return {
    request(message) {
      const id = ++next;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        post({ ...message, id });
      });
    },
    start(message, handlers) {
      const job = ++next;
      jobs.set(job, handlers);
      post({ ...message, job });
      return job;
    },
    cancel(job) {
      post({ type: "cancel", job });
    },
    drop(dataset) {
      post({ type: "drop", dataset });
    },
  };
}

export function mountPreview(el, ctx) {
  const { steward } = ctx;
  const worker = startWorker((message) => setStatus(maskStatus, `Masking is unavailable: ${message}`, "error"));

  // ---- Data source ----------------------------------------------------------------------------
  const sourceName = uid("pv-source");
  const sources = [
    ["sandbox", "Sandbox sample"],
    ["paste", "Pasted CSV"],
    ["file", "Local file"],
  ];
  const radios = sources.map(([value, label]) => {
    const input = h("input", { type: "radio", name: sourceName, value, id: `${sourceName}-${value}`, disabled: value === "sandbox" && !ctx.sandbox });
    return { value, input, wrap: h("div", { class: "check" }, input, h("label", { for: input.id }, label)) };
  });

  const tableSelect = select(SAMPLE_TABLES.map((qn) => [qn, short(qn)]));
  const rowsInput = h("input", { type: "number", min: 1, max: 1000, value: 50, inputmode: "numeric" });
  const sampleLoad = h("button", { type: "button" }, "Load sample");
  const sandboxPanel = h("div", { class: "pv-panel", dataset: { source: "sandbox" } },
    h("div", { class: "row" }, field("Sandbox table", tableSelect, { grow: true }), field("Rows", rowsInput, { hint: "1 to 1,000 sample rows." }), h("div", { class: "actions" }, sampleLoad)),
    h("p", { class: "hint" }, "Realistic sample rows from the local sandbox (", h("code", {}, "GET /sandbox/sample"), "), with each column's catalog tags."));

  const csvArea = h("textarea", { rows: 8, spellcheck: "false", placeholder: "name,email,card\nAda Lovelace,ada@example.com,4111 1111 1111 1111" });
  const csvLoad = h("button", { type: "button" }, "Load CSV");
  const pastePanel = h("div", { class: "pv-panel", dataset: { source: "paste" }, hidden: true },
    field("CSV text", csvArea, { grow: true, hint: "The first row names the columns (RFC 4180: quoted fields may hold commas, quotes and line breaks). Empty fields are null." }),
    h("div", { class: "actions" }, csvLoad));

  const fileInput = h("input", { type: "file", accept: ".csv,text/csv,text/plain" });
  const filePanel = h("div", { class: "pv-panel", dataset: { source: "file" }, hidden: true },
    field("CSV file", fileInput, { hint: "Read in this browser with the File API; never sent anywhere." }));
  const panels = [sandboxPanel, pastePanel, filePanel];

  const dataStatus = statusRegion({ id: "preview-data-status" });
  const privacy = h("p", { class: "pv-privacy" },
    h("strong", {}, "Nothing is uploaded. "),
    "Pasted text and files are read and masked in this browser, in a background worker; the page may only talk to the server it came from (its Content-Security-Policy says so), and sample rows come from the local sandbox.");

  // ---- Masks ----------------------------------------------------------------------------------
  const modeName = uid("pv-mode");
  const modes = [
    ["user", "From a user's access"],
    ["columns", "Set per column"],
  ].map(([value, label]) => {
    const input = h("input", { type: "radio", name: modeName, value, id: `${modeName}-${value}` });
    return { value, input, wrap: h("div", { class: "check" }, input, h("label", { for: input.id }, label)) };
  });
  const userSelect = select([["", "No access config yet"]]);
  userSelect.disabled = true;
  const configNote = h("p", { class: "hint", id: uid("pv-config") }, "Waiting for an access config (load one in the Access simulator).");
  const tableQn = h("input", { type: "text", spellcheck: "false", value: `${SNOWFLAKE}/SALES_DB/SALES/CUSTOMERS`, autocomplete: "off" });
  const tableTags = h("input", { type: "text", spellcheck: "false", autocomplete: "off", placeholder: "Confidential" });
  const userPanel = h("div", { class: "pv-panel", dataset: { mode: "user" } },
    h("div", { class: "row" }, field("Preview as user", userSelect), field("Table qualified name", tableQn, { grow: true, hint: "Where the rows come from: it decides which connection admins and persona policies apply." }), field("Table tags", tableTags, { hint: "Comma-separated." })),
    configNote);
  const columnsHost = h("div", { class: "pv-columns" });
  const masksSet = h("fieldset", { class: "pv-masks" }, h("legend", {}, "Where the masks come from"), h("div", { class: "row" }, modes.map((m) => m.wrap)), userPanel,
    h("p", { class: "hint pv-columns-hint" }), columnsHost);

  const maskButton = h("button", { type: "button", class: "primary" }, "Mask");
  const cancelButton = h("button", { type: "button", disabled: true }, "Cancel");
  const progress = h("progress", { max: 1, value: 0, hidden: true, "aria-label": "Masking progress" });
  const maskStatus = statusRegion({ id: "preview-status" });

  // ---- Tables -----------------------------------------------------------------------------------
  const originalTable = h("table", { class: "pv-table", id: "preview-original" });
  const maskedTable = h("table", { class: "pv-table", id: "preview-masked" });
  const firstButton = h("button", { type: "button", disabled: true }, "First page");
  const prevButton = h("button", { type: "button", disabled: true }, "Previous page");
  const nextButton = h("button", { type: "button", disabled: true }, "Next page");
  const lastButton = h("button", { type: "button", disabled: true }, "Last page");
  const pageInfo = h("span", { role: "status", "aria-live": "polite", id: "preview-pager" }, "No rows");
  const tables = h("div", { class: "side-by-side pv-tables" },
    h("div", {}, h("h4", {}, "Original"), h("div", { class: "table-wrap" }, originalTable)),
    h("div", {}, h("h4", { id: "preview-masked-heading" }, "Masked"), h("div", { class: "table-wrap" }, maskedTable)));

  // ---- SQL --------------------------------------------------------------------------------------
  const dialectSelect = select(DIALECTS);
  const sqlPre = h("pre", { class: "pv-sql", id: "preview-sql" });
  const copyStatus = statusRegion();
  const sqlCopy = copyButton(() => sqlPre.textContent, { statusEl: copyStatus });

  el.append(
    h("div", { class: "pv-data" }, h("h3", {}, "Data"), h("fieldset", {}, h("legend", {}, "Source"), h("div", { class: "row" }, radios.map((r) => r.wrap))), ...panels, dataStatus, privacy),
    h("div", {}, h("h3", {}, "Masks"), masksSet),
    h("div", { class: "actions pv-run" }, maskButton, cancelButton),
    h("div", { class: "pv-results", id: "preview-results" },
      progress,
      maskStatus,
      tables,
      h("div", { class: "pager" }, firstButton, prevButton, nextButton, lastButton, pageInfo)),
    h("h3", {}, "The same masks in the warehouse"),
    h("div", { class: "row" }, field("Warehouse", dialectSelect), h("div", { class: "actions" }, sqlCopy)),
    sqlPre,
    copyStatus,
  );

  // ---- State --------------------------------------------------------------------------------------
  /** `{id, label, tableName, asset?, columns: [{name, tags, values}], rows}` */
  let data = null;
  let loadedText = null;
  /** `{job, user?, running, columns: [{name, mode, mask, allowed, reason, decidedBy, maskedBy, values}]}` */
  let result = null;
  let page = 0;
  let access = null; // {config, engine, source}
  const chosenMasks = new Map(); // column name → mask ("" none)
  const columnControls = []; // per column {tags, mask}
  let loadSeq = 0;
  let running = null; // the job in the worker now

  const mode = () => modes.find((m) => m.input.checked)?.value ?? "columns";
  const source = () => radios.find((r) => r.input.checked)?.value ?? "paste";

  // ---- Access config (shared with the simulator) --------------------------------------------------
  function useAccess(next) {
    access = next;
    const users = access.config.users ?? [];
    const preferred = userSelect.value || (users.some((u) => u.name === "sandbox-analyst") ? "sandbox-analyst" : users[0]?.name);
    setOptions(userSelect, users.map((u) => [u.name, `${u.name} — ${u.role}${u.groups?.length ? ` · ${u.groups.join(", ")}` : ""}`]), preferred);
    userSelect.disabled = users.length === 0;
    modes[0].input.disabled = false;
    // With a config, previewing as a user is the default (until the user picks a mode).
    if (mode() === "columns" && !masksSet.dataset.touched) showMode("user");
    replace(configNote, `Access config: ${access.source}, shared with the Access simulator above (load another one there).`);
    renderSql();
  }
  // ---- Loading data -----------------------------------------------------------------------------
  function setData(next) {
    if (running) worker.cancel(running);
    running = null;
    progress.hidden = true;
    cancelButton.disabled = true;
    if (data) worker.drop(data.id);
    data = next;
    result = null;
    page = 0;
    renderColumns();
    renderTables();
    renderSql();
    setStatus(maskStatus, "");
  }

  async function loadSample() {
    const seq = ++loadSeq;
    const qn = tableSelect.value;
    const rows = Math.max(1, Math.min(1000, Math.trunc(Number(rowsInput.value)) || 50));
    rowsInput.value = String(rows);
    setStatus(dataStatus, `Loading ${rows} sample rows of ${short(qn)}…`, "busy");
    try {
      const response = await fetch(`/sandbox/sample?qualifiedName=${encodeURIComponent(qn)}&rows=${rows}`);
      if (!response.ok) throw new Error(`GET /sandbox/sample answered ${response.status}`);
      const sample = await response.json();
      const columns = sample.columns.map((c) => ({ name: c.name, tags: c.tags ?? [], values: c.values }));
      const { id } = await worker.request({ type: "load", columns: columns.map(({ name, values }) => ({ name, values })) });
      if (seq !== loadSeq) return;
      tableQn.value = sample.qualifiedName;
      tableTags.value = (sample.tags ?? []).join(", ");
      setData({ id, label: short(sample.qualifiedName), tableName: sample.name, asset: { qualifiedName: sample.qualifiedName, typeName: sample.typeName }, columns, rows: sample.rows });
      setStatus(dataStatus, `Loaded ${short(sample.qualifiedName)} from the sandbox: ${plural(sample.rows, "row")} × ${plural(columns.length, "column")}.`, "ok");
    } catch (err) {
      if (seq === loadSeq) setStatus(dataStatus, `Could not load the sample: ${errorText(err)}`, "error");
    }
  }

  async function loadCsv(text, label, tableName) {
    const seq = ++loadSeq;
    setStatus(dataStatus, `Reading ${label}…`, "busy");
    try {
      const parsed = await worker.request({ type: "parse", text });
      if (seq !== loadSeq) return false;
      const columns = parsed.columns.map((c) => ({ name: c.name, tags: [], values: c.values }));
      setData({ id: parsed.id, label, tableName, asset: null, columns, rows: parsed.rows });
      setStatus(dataStatus, `Read ${label} in this browser: ${plural(parsed.rows, "row")} × ${plural(columns.length, "column")}.`, "ok");
      return true;
    } catch (err) {
      if (seq === loadSeq) setStatus(dataStatus, `The CSV could not be read: ${errorText(err)}`, "error");
      return false;
    }
  }

  async function loadPasted() {
    const text = csvArea.value;
    if (!text.trim()) {
      setStatus(dataStatus, "Paste CSV text first: a header row, then the rows.", "warn");
      return false;
    }
    loadedText = text;
    return loadCsv(text, "the pasted CSV", "pasted_data");
  }

  async function loadFile() {
    const file = fileInput.files?.[0];
    if (!file) return false;
    const name = file.name.replace(/\.[^.]*$/, "") || "uploaded_data";
    setStatus(dataStatus, `Reading ${file.name} (${fmt(file.size)} bytes) in this browser…`, "busy");
    let text;
    try {
      text = await file.text();
    } catch (err) {
      setStatus(dataStatus, `${file.name} could not be read: ${errorText(err)}`, "error");
      return false;
    }
    return loadCsv(text, file.name, name);
  }

  // ---- Column settings ----------------------------------------------------------------------------
  function renderColumns() {
    columnControls.length = 0;
    const hint = masksSet.querySelector(".pv-columns-hint");
    if (!data) {
      replace(columnsHost);
      hint.textContent = "";
      return;
    }
    const perColumn = mode() === "columns";
    hint.textContent = perColumn
      ? "Choose a mask for each column (none leaves it in clear)."
      : "Each column's tags decide which purposes apply (sandbox samples come with the catalog's tags).";
    replace(columnsHost, data.columns.map((column) => {
      const tags = h("input", { type: "text", spellcheck: "false", autocomplete: "off", value: column.tags.join(", ") });
      const maskSelect = select([["", "none"], ...MASKS.map((m) => [m, m])], { value: chosenMasks.get(column.name) ?? "" });
      tags.addEventListener("change", () => {
        column.tags = splitTags(tags.value);
        renderSql();
      });
      maskSelect.addEventListener("change", () => {
        chosenMasks.set(column.name, maskSelect.value);
        renderSql();
      });
      const tagField = field(`${column.name} tags`, tags);
      const maskField = field(`${column.name} mask`, maskSelect);
      tagField.hidden = perColumn;
      maskField.hidden = !perColumn;
      columnControls.push({ tags, maskSelect });
      return h("div", { class: "pv-column" }, tagField, maskField);
    }));
  }

  function showMode(value) {
    for (const m of modes) m.input.checked = m.value === value;
    userPanel.hidden = value !== "user";
    renderColumns();
    renderSql();
  }

  // ---- What the masks are (for the SQL, before any masking) ---------------------------------------
  function previewAsset() {
    return { qualifiedName: tableQn.value.trim(), typeName: data?.asset?.typeName ?? "Table", tags: splitTags(tableTags.value) };
  }

  /** Per column `{name, allowed, mask, reason}` for the current settings; throws the engine's error. */
  function plan() {
    if (!data) return null;
    if (mode() === "columns") return data.columns.map((c) => ({ name: c.name, allowed: true, mask: chosenMasks.get(c.name) || null, reason: "set per column" }));
    if (!access || !userSelect.value) return null;
    const answer = access.engine.previewTable({ user: userSelect.value, asset: previewAsset(), columns: data.columns.map((c) => ({ name: c.name, tags: c.tags, values: [] })) });
    return answer.columns;
  }

  function renderSql() {
    const dialect = dialectSelect.value;
    const dialectName = DIALECTS.find(([d]) => d === dialect)?.[1] ?? dialect;
    if (!data) {
      sqlPre.textContent = "-- Load data to see the SQL that applies these masks in the warehouse.";
      return;
    }
    let columns;
    try {
      columns = plan();
    } catch (err) {
      sqlPre.textContent = `-- The masks could not be decided: ${errorText(err).replaceAll("\n", "\n-- ")}`;
      return;
    }
    if (!columns) {
      sqlPre.textContent = "-- Choose a user (the access config is still loading).";
      return;
    }
    const from = data.asset
      ? data.asset.qualifiedName.split("/").slice(3).map((part) => quoteIdent(part, dialect)).join(".")
      : quoteIdent(data.tableName, dialect);
    const who = mode() === "user" ? `what ${userSelect.value} may see of ${data.label}` : `the masks set per column on ${data.label}`;
    const lines = [`-- ${dialectName}: ${who}.`];
    const hidden = columns.filter((c) => !c.allowed);
    if (hidden.length) lines.push(`-- Left out (no access): ${hidden.map((c) => `${c.name} (${c.reason})`).join(", ")}.`);
    const items = [];
    for (const c of columns.filter((col) => col.allowed)) {
      const ident = quoteIdent(c.name, dialect);
      if (!c.mask) {
        items.push(`  ${ident}`);
        continue;
      }
      try {
        items.push(`  ${steward.maskSql(c.mask, c.name, dialect)} AS ${ident}`);
      } catch (err) {
        lines.push(`-- ${c.name}: ${errorText(err)}`);
      }
    }
    if (items.length === 0) {
      lines.push("-- This user may not query any column of this table.");
    } else {
      lines.push("SELECT", items.join(",\n"), `FROM ${from};`);
    }
    sqlPre.textContent = lines.join("\n");
  }

  // ---- Masking ----------------------------------------------------------------------------------

  async function runMask() {
    // Pasted text that changed since it was read is read again first.
    if (source() === "paste" && (csvArea.value !== loadedText || !data)) {
      if (!(await loadPasted())) return;
    }
    if (!data) {
      setStatus(maskStatus, source() === "file" ? "Choose a CSV file first." : "Load some data first.", "warn");
      return;
    }
    if (running) worker.cancel(running);
    const asUser = mode() === "user";
    if (asUser && (!access || !userSelect.value)) {
      setStatus(maskStatus, "No access config yet: load one in the Access simulator, or set the masks per column.", "warn");
      return;
    }
    for (const [i, c] of data.columns.entries()) {
      if (columnControls[i]) c.tags = splitTags(columnControls[i].tags.value);
    }
    const current = data;
    const who = asUser ? userSelect.value : null;
    result = { job: null, user: who, running: true, columns: current.columns.map((c) => ({ name: c.name, pending: true })) };
    const mine = result;
    progress.hidden = false;
    progress.value = 0;
    cancelButton.disabled = false;
    setStatus(maskStatus, `Masking ${plural(current.rows, "row")}…`, "busy");
    renderTables();
    const handlers = {
      onProgress({ done, total }) {
        if (result !== mine) return;
        progress.max = Math.max(1, total);
        progress.value = done;
        setStatus(maskStatus, `Masking… ${fmt(done)} of ${fmt(total)} values`, "busy");
      },
      onColumn(column) {
        if (result !== mine) return;
        mine.columns[column.index] = column;
        renderTables();
      },
      onEnd(end) {
        if (running === mine.job) running = null;
        if (result !== mine) return;
        mine.running = false;
        progress.hidden = true;
        cancelButton.disabled = true;
        if (end.type === "cancelled") {
          result = null;
          setStatus(maskStatus, "Masking cancelled.", "warn");
        } else {
          const masked = mine.columns.filter((c) => c.mode === "mask").length;
          const none = mine.columns.filter((c) => c.mode === "none").length;
          const parts = [`Masked ${plural(current.rows, "row")} × ${plural(current.columns.length, "column")}${who ? ` for ${who}` : ""} in ${fmt(end.ms)} ms`,
            `${plural(masked, "column")} masked`, `${fmt(current.columns.length - masked - none)} in clear`];
          if (none) parts.push(`${fmt(none)} with no access`);
          setStatus(maskStatus, `${parts.join("; ")}.`, "ok");
        }
        renderTables();
      },
      onError(error) {
        if (running === mine.job) running = null;
        if (result !== mine) return;
        result = null;
        progress.hidden = true;
        cancelButton.disabled = true;
        setStatus(maskStatus, `Masking failed: ${error.message} (${error.code})`, "error");
        renderTables();
      },
    };
    const message = asUser
      ? { type: "preview", dataset: current.id, config: access.config, user: who, asset: previewAsset(), tags: current.columns.map((c) => c.tags) }
      : { type: "mask", dataset: current.id, masks: current.columns.map((c) => chosenMasks.get(c.name) || null) };
    mine.job = worker.start(message, handlers);
    running = mine.job;
  }

  // ---- Rendering ----------------------------------------------------------------------------------
  const cell = (value, extra = "") => {
    if (value === null || value === undefined) return h("td", { class: `null ${extra}`.trim() }, "null");
    const text = String(value);
    return h("td", { class: extra || null, title: text.length > 40 ? text : null }, text);
  };

  function maskedHeader(column) {
    if (!column || column.pending) return [h("span", { class: "pv-name" }, column?.name ?? ""), h("span", { class: "pv-note" }, "masking…")];
    let badge;
    let why;
    const perColumn = !column.reason;
    if (column.mode === "none") {
      badge = h("span", { class: "badge bad" }, "no access");
      why = column.decidedBy ? `${column.reason}: ${refText(column.decidedBy)}` : column.reason;
    } else if (column.mode === "mask") {
      badge = h("span", { class: "badge warn" }, column.mask);
      why = perColumn ? "set per column" : column.maskedBy ? `${column.reason}; masked by ${refText(column.maskedBy)}` : column.reason;
    } else {
      badge = h("span", { class: "badge ok" }, "clear");
      why = perColumn ? "no mask set" : column.reason;
    }
    return [h("span", { class: "pv-name" }, column.name), badge, h("span", { class: "pv-note", title: why }, why)];
  }

  function renderTables() {
    const rows = data?.rows ?? 0;
    const pages = Math.max(1, Math.ceil(rows / PAGE_SIZE));
    page = Math.max(0, Math.min(page, pages - 1));
    const start = page * PAGE_SIZE;
    const end = Math.min(rows, start + PAGE_SIZE);
    const columns = data?.columns ?? [];
    const numberHead = () => h("th", { scope: "col", class: "num" }, "#");

    replace(originalTable,
      h("caption", { class: "visually-hidden" }, data ? `Original rows of ${data.label}` : "Original rows"),
      h("thead", {}, h("tr", {}, numberHead(), columns.map((c) =>
        h("th", { scope: "col" }, h("span", { class: "pv-name" }, c.name), c.tags.length ? h("span", { class: "pv-tags" }, c.tags.map((t) => h("span", { class: "tag" }, t))) : null)))),
      h("tbody", {}, data && rows
        ? Array.from({ length: end - start }, (_, k) => {
            const r = start + k;
            return h("tr", {}, h("td", { class: "num" }, fmt(r + 1)), columns.map((c) => cell(c.values[r])));
          })
        : h("tr", {}, h("td", { class: "empty", colspan: columns.length + 1 }, data ? "The data has no rows." : "Load a sandbox table, paste CSV or pick a file."))));

    const heading = el.querySelector("#preview-masked-heading");
    heading.textContent = result?.user ? `Masked for ${result.user}` : result ? "Masked" : "Masked";
    let body;
    if (!result || !data) {
      body = h("tr", {}, h("td", { class: "empty", colspan: columns.length + 1 }, data ? "Press Mask to see the masked rows." : "Nothing to mask yet."));
    } else {
      body = Array.from({ length: end - start }, (_, k) => {
        const r = start + k;
        return h("tr", {}, h("td", { class: "num" }, fmt(r + 1)), result.columns.map((c, i) => {
          if (!c || c.pending) return h("td", { class: "pending" }, "…");
          if (c.mode === "none") return cell(null, "denied");
          if (c.mode === "clear") return cell(columns[i].values[r]);
          return cell(c.values[r], "masked");
        }));
      });
    }
    replace(maskedTable,
      h("caption", { class: "visually-hidden" }, result?.user ? `Rows of ${data?.label} as ${result.user} sees them` : "Masked rows"),
      h("thead", {}, h("tr", {}, numberHead(), (result ? result.columns : columns.map((c) => ({ name: c.name, mode: "idle" }))).map((c) =>
        h("th", { scope: "col" }, c.mode === "idle" ? h("span", { class: "pv-name" }, c.name) : maskedHeader(c))))),
      h("tbody", {}, body));

    firstButton.disabled = prevButton.disabled = page === 0;
    nextButton.disabled = lastButton.disabled = page >= pages - 1;
    pageInfo.textContent = rows ? `Rows ${fmt(start + 1)}–${fmt(end)} of ${fmt(rows)}` : "No rows";
  }

  // ---- Wiring -------------------------------------------------------------------------------------
  function showSource(value) {
    for (const r of radios) r.input.checked = r.value === value;
    for (const p of panels) p.hidden = p.dataset.source !== value;
  }
  for (const r of radios) r.input.addEventListener("change", () => r.input.checked && showSource(r.value));
  for (const m of modes) m.input.addEventListener("change", () => m.input.checked && showMode(m.value));
  sampleLoad.addEventListener("click", loadSample);
  tableSelect.addEventListener("change", loadSample);
  csvLoad.addEventListener("click", loadPasted);
  fileInput.addEventListener("change", loadFile);
  maskButton.addEventListener("click", runMask);
  cancelButton.addEventListener("click", () => {
    if (running) worker.cancel(running);
  });
  const go = (to) => () => {
    page = to();
    renderTables();
  };
  firstButton.addEventListener("click", go(() => 0));
  prevButton.addEventListener("click", go(() => page - 1));
  nextButton.addEventListener("click", go(() => page + 1));
  lastButton.addEventListener("click", go(() => Infinity));
  dialectSelect.addEventListener("change", renderSql);
  userSelect.addEventListener("change", renderSql);
  tableQn.addEventListener("change", renderSql);
  tableTags.addEventListener("change", renderSql);

  modes[0].input.disabled = true;
  showMode("columns");
  for (const m of modes) m.input.addEventListener("change", () => (masksSet.dataset.touched = "yes"));
  renderTables();
  renderSql();
  if (ctx.sandbox) {
    showSource("sandbox");
    loadSample();
  } else {
    showSource("paste");
  }
  document.addEventListener("steward:access-config", (event) => useAccess(event.detail));
  const shared = currentAccessConfig();
  if (shared) useAccess(shared);
  else if (ctx.sandbox) {
    fetch("/sandbox/access-config")
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`GET /sandbox/access-config answered ${r.status}`))))
      .then((config) => {
        if (!access) useAccess({ config, engine: steward.PolicyEngine.fromConfig(config), source: "the sandbox's live config" });
      })
      .catch((err) => replace(configNote, `No access config: ${errorText(err)}`));
  }
}
