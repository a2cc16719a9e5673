// The masked preview's worker: parses CSV and masks columns off the page's main thread, so a
// table of 100,000 rows never freezes the page. Every rule is the package's (maskCsv validates
// the CSV, maskColumn and PolicyEngine.previewTable mask); this file only moves data around.
//
// Messages in:  {type: "parse", id, text} | {type: "load", id, columns: [{name, values}]}
//               {type: "mask", job, dataset, masks: [mask|null per column]}
//               {type: "preview", job, dataset, config, user, asset, tags: [[tag…] per column]}
//               {type: "cancel", job} | {type: "drop", dataset}
// Messages out: {type: "parsed", id, columns, rows} | {type: "loaded", id, rows}
//               {type: "progress", job, done, total} | {type: "column", job, index, …}
//               {type: "done", job, ms} | {type: "cancelled", job} | {type: "error", id?|job?, error}
import { maskCsv, maskColumn, PolicyEngine } from "/dist/browser.js";

/** Cells masked per call; between chunks the worker reads its messages (a cancel can land). */
const CHUNK = 20_000;

const datasets = new Map();
const cancelled = new Set();

/** Lets queued messages (a cancel) run between chunks, without setTimeout's clamping. */
function yieldToMessages() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(0);
  });
}

const errorOf = (err) => ({ code: err?.code ?? "ERROR", message: String(err?.message ?? err) });

/**
 * RFC 4180 rows of `text`: quoted fields may hold commas, quotes ("") and line breaks; lines end
 * in LF or CRLF; a leading BOM is dropped. An empty field is null (as maskCsv reads it).
 */
function parseCsv(text) {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  let wasQuoted = false;
  const n = text.length;
  const endCell = () => {
    row.push(cell === "" ? null : cell);
    cell = "";
    wasQuoted = false;
  };
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i += 1;
        continue;
      }
      // Copy a run of ordinary characters at once.
      const next = text.indexOf('"', i);
      const end = next === -1 ? n : next;
      cell += text.slice(i, end);
      i = end;
      continue;
    }
    if (c === '"') {
      quoted = true;
      wasQuoted = true;
      i += 1;
    } else if (c === ",") {
      endCell();
      i += 1;
    } else if (c === "\n" || c === "\r") {
      endCell();
      rows.push(row);
      row = [];
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
    } else {
      let end = i;
      while (end < n) {
        const d = text.charCodeAt(end);
        if (d === 44 || d === 10 || d === 13 || d === 34) break;
        end += 1;
      }
      cell += text.slice(i, end);
      i = end;
    }
  }
  if (cell !== "" || wasQuoted || row.length > 0) {
    endCell();
    rows.push(row);
  }
  return rows;
}

function parse({ id, text }) {
  // The package's reader judges the CSV first: a malformed one is refused with its row and line.
  maskCsv(text, {});
  const rows = parseCsv(text);
  if (rows.length === 0) throw Object.assign(new Error("the CSV is empty: its first row must name the columns"), { code: "INVALID_CSV" });
  const header = rows[0].map((name, i) => name ?? `column_${i + 1}`);
  const columns = header.map((name, c) => {
    const values = new Array(rows.length - 1);
    for (let r = 1; r < rows.length; r++) values[r - 1] = rows[r][c] ?? null;
    return { name, values };
  });
  datasets.set(id, columns);
  postMessage({ type: "parsed", id, columns, rows: rows.length - 1 });
}

function load({ id, columns }) {
  datasets.set(id, columns);
  postMessage({ type: "loaded", id, rows: columns[0]?.values.length ?? 0 });
}

/**
 * Runs `maskChunk(column, index, from, to)` over every column in chunks, posting progress and
 * one `column` message per column. `describe(index, column)` → `{info, mode}`: `mask` masks the
 * column, `clear` leaves it as it is (the page shows the original values), `none` means no
 * access (no values at all).
 */
async function run(job, columns, maskChunk, describe) {
  const started = performance.now();
  const rows = columns[0]?.values.length ?? 0;
  const total = rows * columns.length;
  let done = 0;
  postMessage({ type: "progress", job, done, total });
  for (let index = 0; index < columns.length; index++) {
    const column = columns[index];
    const { info, mode } = describe(index, column);
    let values = null;
    if (mode === "mask") {
      values = [];
      for (let from = 0; from < rows; from += CHUNK) {
        const to = Math.min(rows, from + CHUNK);
        const part = maskChunk(column, index, from, to);
        for (let k = 0; k < part.length; k++) values.push(part[k]);
        done += to - from;
        postMessage({ type: "progress", job, done, total });
        await yieldToMessages();
        if (cancelled.has(job)) {
          cancelled.delete(job);
          postMessage({ type: "cancelled", job });
          return;
        }
      }
    } else {
      done += rows;
    }
    postMessage({ type: "column", job, index, name: column.name, mode, ...info, values });
  }
  postMessage({ type: "progress", job, done: total, total });
  postMessage({ type: "done", job, ms: Math.round(performance.now() - started) });
}

function columnsOf(dataset) {
  const columns = datasets.get(dataset);
  if (!columns) throw Object.assign(new Error("the data is no longer loaded: load it again"), { code: "INVALID_REQUEST" });
  return columns;
}

async function maskJob({ job, dataset, masks }) {
  const columns = columnsOf(dataset);
  await run(
    job,
    columns,
    (column, index, from, to) => maskColumn(column.values.slice(from, to), masks[index]),
    (index) => ({ info: { mask: masks[index] ?? null, allowed: true }, mode: masks[index] ? "mask" : "clear" }),
  );
}

async function previewJob({ job, dataset, config, user, asset, tags }) {
  const columns = columnsOf(dataset);
  const engine = PolicyEngine.fromConfig(config);
  try {
    await run(
      job,
      columns,
      (column, index, from, to) => {
        const answer = engine.previewTable({ user, asset, columns: [{ name: column.name, tags: tags[index] ?? [], values: column.values.slice(from, to) }] });
        return answer.columns[0].values;
      },
      (index, column) => {
        // The decision for the column alone (no values): whether to mask at all, and why.
        const [d] = engine.previewTable({ user, asset, columns: [{ name: column.name, tags: tags[index] ?? [], values: [] }] }).columns;
        const info = { mask: d.mask, allowed: d.allowed, reason: d.reason, decidedBy: d.decidedBy, maskedBy: d.maskedBy };
        return { info, mode: !d.allowed ? "none" : d.mask ? "mask" : "clear" };
      },
    );
  } finally {
    engine.free();
  }
}

self.onmessage = async ({ data }) => {
  try {
    switch (data.type) {
      case "parse":
        return parse(data);
      case "load":
        return load(data);
      case "drop":
        return void datasets.delete(data.dataset);
      case "cancel":
        return void cancelled.add(data.job);
      case "mask":
        return await maskJob(data);
      case "preview":
        return await previewJob(data);
      default:
        throw new Error(`unknown message ${data.type}`);
    }
  } catch (err) {
    postMessage({ type: "error", id: data.id, job: data.job, error: errorOf(err) });
  }
};

postMessage({ type: "ready" });
