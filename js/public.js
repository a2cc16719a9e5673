// The package's public API: the one list of what both entries export (see index.d.ts).
export { mask, CatalogClient } from "./steward_wasm.js";
