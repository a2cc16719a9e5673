// The sync's JS face (SPEC §9): named arguments in, the wasm module's functions out. Every
// rule is in Rust (crates/core/src/sync, crates/wasm/src/sync.rs); this file only destructures.
// The functions are async so that bad input rejects the promise rather than throwing.
import { runSyncWith, preflightWith, setupIntegrationWith } from "./steward_wasm.js";

function required(value, name, fn) {
  if (value === undefined || value === null) {
    const error = new Error(`${fn}: ${name} is required`);
    error.code = "INVALID_OPTIONS";
    throw error;
  }
  return value;
}

/** Runs a sync: see SyncReport in index.d.ts. */
export async function runSync({ catalog, inventory, mode = "both", options = {}, onProgress, signal } = {}) {
  required(catalog, "catalog", "runSync");
  required(inventory, "inventory", "runSync");
  return runSyncWith(catalog, inventory, { mode, options }, onProgress, signal);
}

/** Lists the mapped assets the token can't read or write, before any write. */
export async function preflight({ catalog, inventory, options = {}, signal } = {}) {
  required(catalog, "catalog", "preflight");
  required(inventory, "inventory", "preflight");
  return preflightWith(catalog, inventory, options, signal);
}

/** The seed's persona + policy steps for the integration's token, done with an admin token. */
export async function setupIntegration({ admin, integration, connections, personaName, policyName, metadataSet, dryRun, signal } = {}) {
  required(admin, "admin", "setupIntegration");
  required(integration, "integration", "setupIntegration");
  required(connections, "connections", "setupIntegration");
  return setupIntegrationWith(admin, integration, { connections, personaName, policyName, metadataSet, dryRun }, signal);
}
