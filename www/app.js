// The settings page. All logic lives in the Steward module; this file only wires the DOM.
import { mask, CatalogClient } from "/dist/browser.js";

const $ = (id) => document.getElementById(id);

function show(id, text, state) {
  const el = $(id);
  el.textContent = text;
  el.dataset.state = state;
}

function showMaskedSample() {
  const input = $("mask-input").textContent;
  show("mask-result", mask(input, "REDACT"), "ok");
}

async function pingSandbox() {
  // The sandbox catalog is served by the same server as this page; the demo token is public.
  const catalog = new CatalogClient({ baseUrl: location.origin, token: "sandbox-admin-token" });
  try {
    const tags = await catalog.ping();
    show("ping-result", `connected: ${tags} tag definitions`, "ok");
  } catch (err) {
    show("ping-result", `failed (${err.code ?? "ERROR"}): ${err.message}`, "error");
  } finally {
    catalog.free();
  }
}

show("engine-status", "ready", "ok");
showMaskedSample();
await pingSandbox();
