// The settings page. Every rule lives in the Steward package (the same built module an npm
// consumer gets); these files only wire the DOM. Each area mounts itself into its section.
import * as steward from "/dist/browser.js";
import { Integrations } from "./js/store.js";

const origin = location.origin;

/** Whether `url` is this server (the sandbox tenants answer here). */
function isHere(url) {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

/**
 * The base URL the page calls for an integration: the sandbox directly; a real tenant through
 * this server's `/forward/HOST` (browsers can't call it: CORS). The page's CSP allows only
 * `connect-src 'self'`, so nothing else is reachable anyway.
 */
function baseUrlFor(url) {
  if (isHere(url)) return url.replace(/\/+$/, "");
  const parsed = new URL(url);
  if (parsed.protocol !== "https:") throw Object.assign(new Error(`${url}: real tenants are reached over https only`), { code: "INVALID_URL" });
  return `${origin}/forward/${parsed.host}${parsed.pathname.replace(/\/+$/, "")}`;
}

/** Whether this server hosts the sandbox tenants (`GET /server-info`). */
async function sandboxAvailable() {
  try {
    const response = await fetch("/server-info");
    return response.ok && (await response.json()).sandbox === true;
  } catch {
    return false;
  }
}

const integrations = new Integrations();
const sandbox = await sandboxAvailable();
await integrations.load(
  sandbox
    ? [
        { id: "sandbox-catalog", name: "Sandbox catalog", type: "catalog", url: origin, token: "sandbox-integration-token" },
        { id: "sandbox-hightouch", name: "Sandbox Hightouch", type: "hightouch", url: `${origin}/api/v1`, token: "sandbox-hightouch-readonly" },
      ]
    : [],
);

/** Shared by the areas. */
const ctx = {
  steward,
  integrations,
  sandbox,
  origin,
  baseUrlFor,
  /** A `CatalogClient` for a catalog integration (its token from memory or storage). */
  catalogClient(integration) {
    return new steward.CatalogClient({ baseUrl: baseUrlFor(integration.url), token: integrations.token(integration.id) });
  },
  /** A `HightouchClient` for a Hightouch integration. */
  hightouchClient(integration, options = {}) {
    return new steward.HightouchClient({ baseUrl: baseUrlFor(integration.url), apiKey: integrations.token(integration.id), ...options });
  },
};

// Each area is its own module; one that fails to load or mount says so in its section and
// leaves the others working.
const AREAS = [
  ["integrations", "./js/integrations.js", "mountIntegrations"],
  ["sync", "./js/sync.js", "mountSync"],
  ["simulator", "./js/simulator.js", "mountSimulator"],
  ["preview", "./js/preview.js", "mountPreview"],
  ["hightouch", "./js/hightouch.js", "mountHightouch"],
];
await Promise.all(
  AREAS.map(async ([name, file, mount]) => {
    const el = document.querySelector(`[data-area="${name}"]`);
    try {
      const module = await import(file);
      await module[mount](el, ctx);
    } catch (err) {
      console.error(`The ${name} area failed to load:`, err);
      const message = document.createElement("p");
      message.setAttribute("role", "status");
      message.className = "status";
      message.dataset.state = "error";
      message.textContent = `This area failed to load: ${err?.message ?? err}`;
      el.replaceChildren(message);
    }
  }),
);

const status = document.getElementById("engine-status");
status.textContent = sandbox ? "Engine ready · sandbox tenants on" : "Engine ready";
status.dataset.state = "ok";
performance.mark("steward:ready");
