// The package's public API: the one list of what both entries export (see index.d.ts).
export { mask, CatalogClient, PolicyEngine, importCatalogPolicies } from "./steward_wasm.js";
