// The package's public API: the one list of what both entries export (see index.d.ts).
export { mask, maskColumn, maskCsv, maskSql, CatalogClient, importCatalogPolicies } from "./steward_wasm.js";
export { PolicyEngine } from "./access.js";
