// Small DOM helpers shared by the page's areas: element building (text only, never HTML
// strings, so nothing from a tenant can become markup), status regions, copy buttons and a
// paged, sortable, filterable table that stays responsive with 100,000 rows.

let nextId = 0;
/** A unique id for label/control pairs. */
export const uid = (prefix = "f") => `${prefix}-${++nextId}`;

/**
 * `h("button", {class: "primary", onclick}, "Start sync")`. Attributes starting with `on` are
 * listeners; `true` / `false` set or omit boolean attributes; children are nodes or text.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces an element's children. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A labelled control: `{field, control}`; the label is visible and tied by `for`. */
export function field(label, control, { hint, grow = false } = {}) {
  if (!control.id) control.id = uid();
  const hintEl = hint ? h("p", { class: "hint", id: `${control.id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  const wrap = h("div", { class: grow ? "field grow" : "field" }, h("label", { for: control.id }, label), control, hintEl);
  return wrap;
}

/** A checkbox with its label after it. */
export function checkbox(label, { checked = false, name } = {}) {
  const input = h("input", { type: "checkbox", id: uid("c"), name, checked });
  const wrap = h("div", { class: "check" }, input, h("label", { for: input.id }, label));
  return { wrap, input };
}

/** A `<select>` of `[value, text]` pairs. */
export function select(options, { value, name } = {}) {
  const el = h("select", { name });
  setOptions(el, options, value);
  return el;
}

/** Replaces a select's options, keeping `value` selected when present. */
export function setOptions(el, options, value = el.value) {
  el.replaceChildren(...options.map(([v, text]) => h("option", { value: v }, text ?? v)));
  if (options.some(([v]) => v === value)) el.value = value;
}

/** A `role="status"` region that announces its text. */
export function statusRegion(attrs = {}) {
  return h("div", { role: "status", "aria-live": "polite", class: "status", ...attrs });
}

/** Sets a status region's text and state (`ok`, `error`, `warn`, `busy`). */
export function setStatus(el, text, state = "") {
  el.textContent = text;
  if (state) el.dataset.state = state;
  else delete el.dataset.state;
}

/** A `Copy` button that copies `getText()`; says so in `statusEl` (or its own label). */
export function copyButton(getText, { label = "Copy", statusEl } = {}) {
  const button = h("button", { type: "button" }, label);
  button.addEventListener("click", async () => {
    const text = getText();
    let done = false;
    try {
      await navigator.clipboard.writeText(text);
      done = true;
    } catch {
      done = false;
    }
    const message = done ? "Copied to the clipboard." : "The browser refused clipboard access: select the text and copy it by hand.";
    if (statusEl) setStatus(statusEl, message, done ? "ok" : "warn");
    button.dataset.copied = done ? "yes" : "no";
  });
  return button;
}

/** A number with thousands separators. */
export const fmt = (n) => (typeof n === "number" ? n.toLocaleString("en-US") : String(n ?? ""));

/** "1 asset" / "3 assets". */
export const plural = (n, one, many = `${one}s`) => `${fmt(n)} ${n === 1 ? one : many}`;

/** A message for an error thrown by the package: its code and message (never a token: the package scrubs them). */
export function errorText(err) {
  if (err && typeof err === "object" && "code" in err) return `${err.message} (${err.code})`;
  return String(err?.message ?? err);
}

/**
 * A table over an array of row objects, shown a page at a time: filter (text across the
 * columns, plus optional select filters), sort by any column (header buttons with
 * `aria-sort`), pager. Rendering touches one page only, so 100,000 rows stay responsive.
 *
 * columns: [{key, label, numeric?, render?(row) → node|text, value?(row) → sortable value}]
 */
export class PagedTable {
  constructor({ columns, caption, pageSize = 100, filters = [], emptyText = "Nothing to show." }) {
    this.columns = columns;
    this.pageSize = pageSize;
    this.rows = [];
    this.view = [];
    this.page = 0;
    this.sort = null;
    this.emptyText = emptyText;
    this.search = h("input", { type: "search", placeholder: "Filter rows" });
    this.search.addEventListener("input", () => this.refresh());
    this.filters = filters.map((f) => {
      const el = select([["", "Any"], ...f.options.map((o) => [o, o])]);
      el.addEventListener("change", () => this.refresh());
      return { ...f, el };
    });
    this.caption = h("caption", { class: "visually-hidden" }, caption);
    this.head = h("thead");
    this.body = h("tbody");
    this.table = h("table", {}, this.caption, this.head, this.body);
    this.info = h("span", { role: "status", "aria-live": "polite" });
    this.prev = h("button", { type: "button", onclick: () => this.go(this.page - 1) }, "Previous page");
    this.next = h("button", { type: "button", onclick: () => this.go(this.page + 1) }, "Next page");
    this.el = h(
      "div",
      { class: "paged-table" },
      h("div", { class: "row" }, field(`Filter ${caption.toLowerCase()}`, this.search, { grow: true }), this.filters.map((f) => field(f.label, f.el))),
      h("div", { class: "table-wrap" }, this.table),
      h("div", { class: "pager" }, this.prev, this.next, this.info),
    );
    this.renderHead();
  }

  renderHead() {
    const cells = this.columns.map((c) => {
      const sorted = this.sort?.key === c.key ? this.sort.dir : null;
      const button = h("button", { type: "button", onclick: () => this.sortBy(c.key) }, c.label, sorted ? (sorted === "ascending" ? " ▲" : " ▼") : "");
      return h("th", { scope: "col", class: c.numeric ? "num" : null, "aria-sort": sorted ?? "none" }, button);
    });
    replace(this.head, h("tr", {}, cells));
  }

  /** Shows these rows (kept by reference), from the first page. */
  setRows(rows) {
    this.rows = rows;
    this.page = 0;
    this.refresh();
  }

  sortBy(key) {
    const dir = this.sort?.key === key && this.sort.dir === "ascending" ? "descending" : "ascending";
    this.sort = { key, dir };
    this.renderHead();
    this.refresh();
  }

  refresh() {
    const text = this.search.value.trim().toLowerCase();
    const active = this.filters.filter((f) => f.el.value);
    let view = this.rows;
    if (text || active.length) {
      view = view.filter((row) => {
        if (active.some((f) => String(row[f.key] ?? "") !== f.el.value)) return false;
        if (!text) return true;
        return this.columns.some((c) => String(this.valueOf(c, row) ?? "").toLowerCase().includes(text));
      });
    }
    if (this.sort) {
      const column = this.columns.find((c) => c.key === this.sort.key);
      const sign = this.sort.dir === "ascending" ? 1 : -1;
      const keyed = view.map((row) => [this.valueOf(column, row), row]);
      keyed.sort(([a], [b]) => sign * compare(a, b));
      view = keyed.map(([, row]) => row);
    }
    this.view = view;
    this.go(Math.min(this.page, Math.max(0, Math.ceil(view.length / this.pageSize) - 1)));
  }

  valueOf(column, row) {
    return column.value ? column.value(row) : row[column.key];
  }

  go(page) {
    const pages = Math.max(1, Math.ceil(this.view.length / this.pageSize));
    this.page = Math.max(0, Math.min(page, pages - 1));
    const start = this.page * this.pageSize;
    const slice = this.view.slice(start, start + this.pageSize);
    if (slice.length === 0) {
      replace(this.body, h("tr", {}, h("td", { colspan: this.columns.length, class: "empty" }, this.emptyText)));
    } else {
      replace(
        this.body,
        slice.map((row) =>
          h(
            "tr",
            {},
            this.columns.map((c) => {
              const content = c.render ? c.render(row) : row[c.key];
              return h("td", { class: c.numeric ? "num" : (c.cellClass?.(row) ?? null) }, content ?? "");
            }),
          ),
        ),
      );
    }
    this.prev.disabled = this.page === 0;
    this.next.disabled = this.page >= pages - 1;
    const shown = this.view.length === 0 ? "No rows" : `Rows ${fmt(start + 1)}–${fmt(start + slice.length)} of ${fmt(this.view.length)}`;
    this.info.textContent = this.view.length === this.rows.length ? shown : `${shown} (filtered from ${fmt(this.rows.length)})`;
  }
}

const collator = new Intl.Collator("en", { numeric: true });

function compare(a, b) {
  if (a === b) return 0;
  if (a === undefined || a === null) return 1;
  if (b === undefined || b === null) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return collator.compare(String(a), String(b));
}
