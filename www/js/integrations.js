// Integrations: list, add, edit, delete, and *Test connection*, which says exactly what
// happened (unreachable, refused token, who the token is and what it may do).
import { h, field, checkbox, select, statusRegion, setStatus, errorText, plural, replace } from "./ui.js";

const TYPES = [
  ["catalog", "Catalog (Atlan)"],
  ["hightouch", "Hightouch"],
];

export function mountIntegrations(el, ctx) {
  const list = h("ul", { class: "cards", "aria-label": "Integrations" });
  const formHost = h("div");
  const addButton = h("button", { type: "button", class: "primary" }, "Add integration");
  addButton.addEventListener("click", () => openForm());
  el.append(list, h("div", { class: "actions" }, addButton), formHost);

  /** Test results by integration id, kept across re-renders. */
  const results = new Map();

  function render() {
    const items = ctx.integrations.list();
    if (items.length === 0) {
      replace(list, h("li", { class: "empty" }, "No integrations yet: add one."));
      return;
    }
    replace(list, items.map(card));
  }

  function card(item) {
    const token = ctx.integrations.token(item.id);
    const status = statusRegion({ "data-integration": item.id });
    const previous = results.get(item.id);
    if (previous) setStatus(status, previous.text, previous.state);
    const test = h("button", { type: "button" }, "Test connection");
    test.addEventListener("click", () => testConnection(item, status, test));
    const tokenState = !token
      ? h("span", { class: "badge warn" }, "no token — edit to add one")
      : item.remember
        ? h("span", { class: "badge" }, "token remembered on this device")
        : h("span", { class: "badge" }, item.sandbox ? "public demo token" : "token kept in this tab only");
    const actions = [test];
    if (!item.sandbox) {
      actions.push(h("button", { type: "button", onclick: () => openForm(item) }, "Edit"));
      actions.push(
        h(
          "button",
          {
            type: "button",
            class: "danger",
            "aria-label": `Delete ${item.name}`,
            onclick: async () => {
              if (confirm(`Delete the integration "${item.name}"?`)) {
                results.delete(item.id);
                await ctx.integrations.remove(item.id);
              }
            },
          },
          "Delete",
        ),
      );
    }
    return h(
      "li",
      { class: "card", "data-name": item.name },
      h("h3", {}, item.name, " ", h("span", { class: "badge" }, item.type === "catalog" ? "Catalog" : "Hightouch"), item.sandbox ? [" ", h("span", { class: "badge ok" }, "Sandbox")] : null),
      h("dl", {}, h("dt", {}, "URL"), h("dd", {}, h("code", {}, item.url)), h("dt", {}, "Token"), h("dd", {}, tokenState)),
      h("div", { class: "actions" }, actions),
      status,
    );
  }

  async function testConnection(item, status, button) {
    if (!ctx.integrations.token(item.id)) {
      setStatus(status, "No token: edit the integration and paste its token.", "warn");
      return;
    }
    button.disabled = true;
    setStatus(status, "Testing…", "busy");
    let result;
    try {
      result = item.type === "catalog" ? await testCatalog(item) : await testHightouch(item);
    } catch (err) {
      result = { text: explainError(err), state: "error" };
    } finally {
      button.disabled = false;
    }
    results.set(item.id, result);
    setStatus(status, result.text, result.state);
  }

  async function testCatalog(item) {
    const client = ctx.catalogClient(item);
    try {
      const user = await client.whoami();
      const tags = await client.ping();
      const roles = (user.roles ?? []).join(", ") || "no roles";
      const admin = (user.roles ?? []).includes("$admin");
      const may = admin
        ? "An admin token: it may create the Data Quality set and run the setup assistant for another token."
        : "A member's token reads and writes what its personas allow: run the preflight in Sync to see which assets it can sync.";
      return { text: `Connected as ${user.username} (${roles}). ${plural(tags, "tag definition")} readable. ${may}`, state: "ok" };
    } finally {
      client.free();
    }
  }

  async function testHightouch(item) {
    const client = ctx.hightouchClient(item);
    try {
      const check = await ctx.steward.checkHightouchKey(client);
      if (!check.keyAccepted) return { text: "Hightouch refused the API key (401): it is wrong, revoked or expired.", state: "error" };
      const readable = check.resources.filter((r) => r.readable).map((r) => `${r.resource}s (${r.count})`);
      const refused = check.resources.filter((r) => !r.readable).map((r) => `${r.resource}s: ${r.why}`);
      const text = [`Key accepted. Readable: ${readable.join(", ") || "nothing"}.`];
      if (refused.length) text.push(`Not readable — ${refused.join("; ")}.`);
      text.push("A key check cannot prove the role is read-only: check the role in the Hightouch section.");
      return { text: text.join(" "), state: check.ok ? "ok" : "warn" };
    } finally {
      client.free();
    }
  }

  function openForm(item) {
    const name = h("input", { type: "text", required: true, value: item?.name ?? "", autocomplete: "off" });
    const type = select(TYPES, { value: item?.type ?? "catalog" });
    const url = h("input", { type: "url", required: true, value: item?.url ?? "", placeholder: "https://acme.atlan.com", autocomplete: "off", spellcheck: "false" });
    const token = h("input", { type: "password", autocomplete: "off", spellcheck: "false", placeholder: item ? "unchanged" : "" });
    const remember = checkbox("Remember on this device", { checked: item?.remember ?? false });
    const error = statusRegion();
    type.addEventListener("change", () => {
      url.placeholder = type.value === "catalog" ? "https://acme.atlan.com" : "https://api.hightouch.com";
    });
    const form = h(
      "form",
      { "aria-label": item ? `Edit ${item.name}` : "Add integration" },
      h("fieldset", {}, h("legend", {}, item ? `Edit ${item.name}` : "New integration"),
        h("div", { class: "row" }, field("Name", name), field("Type", type), field("URL", url, { grow: true, hint: "The tenant's https URL; the sandbox is this server's own address." })),
        h("div", { class: "row" }, field(item ? "Token (leave empty to keep it)" : "Token", token, { grow: true, hint: "Sent only to this integration's URL, in the authorization header. Never shown again." })),
        remember.wrap,
        h("p", { class: "hint" }, "Unticked, the token stays in this tab's memory and is forgotten on reload. Ticked, it is kept in this browser's IndexedDB."),
        h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Save integration"), h("button", { type: "button", onclick: () => replace(formHost) }, "Cancel")),
        error,
      ),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const problem = validate(name.value, url.value, type.value, token.value, item);
      if (problem) {
        setStatus(error, problem, "error");
        return;
      }
      const saved = await ctx.integrations.save(
        { id: item?.id, name: name.value.trim(), type: type.value, url: url.value.trim().replace(/\/+$/, ""), remember: remember.input.checked },
        token.value.trim(),
      );
      token.value = "";
      results.delete(saved.id);
      replace(formHost);
    });
    replace(formHost, form);
    name.focus();
  }

  function validate(name, url, type, token, item) {
    if (!name.trim()) return "Name: required.";
    let parsed;
    try {
      parsed = new URL(url.trim());
    } catch {
      return "URL: not a URL (expected https://HOST).";
    }
    if (parsed.username || parsed.password) return "URL: must not hold a user name or password; the token goes in its own field.";
    if (parsed.search || parsed.hash) return "URL: must not have a query or fragment.";
    if (parsed.origin !== ctx.origin && parsed.protocol !== "https:") return "URL: real tenants are reached over https only.";
    if (!token.trim() && !(item && ctx.integrations.token(item.id))) return "Token: required.";
    if (type === "hightouch" && parsed.hostname.endsWith(".atlan.com")) return "URL: that is a catalog (Atlan) address; choose the type Catalog.";
    return "";
  }

  ctx.integrations.addEventListener("change", render);
  render();
}

/** What an error from a connection test means, in words, with the package's message. */
function explainError(err) {
  if (err?.code === "FORWARD_REFUSED" && err.status === 403) {
    return `This server may not forward to that host: add it with steward-server --allow-host HOST. ${errorText(err)}`;
  }
  const meaning = {
    CATALOG_UNAUTHORIZED: "The catalog refused the token (401): it is invalid or expired.",
    CATALOG_FORBIDDEN: "The catalog refused this token's user (403).",
    CATALOG_UNREACHABLE: "The catalog could not be reached: check the URL (and that the server may forward to it).",
    CATALOG_TIMEOUT: "The catalog did not answer in time.",
    CATALOG_NOT_FOUND: "The URL answers, but not as a catalog (404): check the URL.",
    HIGHTOUCH_UNREACHABLE: "Hightouch could not be reached: check the URL.",
    HIGHTOUCH_TIMEOUT: "Hightouch did not answer in time.",
    INVALID_URL: "The URL was refused.",
  }[err?.code];
  return meaning ? `${meaning} ${errorText(err)}` : errorText(err);
}
