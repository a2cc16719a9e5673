// The package's public API: the one list of what both entries export (see index.d.ts).
export { mask, maskCsv, maskSql, CatalogClient, importCatalogPolicies, mapAssets } from "./steward_wasm.js";
export { HightouchPolicy, HightouchClient, hightouchCatalogRole, hightouchSetupSteps, checkHightouchKey } from "./steward_wasm.js";
export { maskColumn } from "./masking.js";
export { PolicyEngine } from "./access.js";
export { runSync, preflight, setupIntegration } from "./sync.js";
