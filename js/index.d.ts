// Public types of the package. Both entries (browser and Node) export exactly these names,
// ready on import: no init call.
export { mask, CatalogClient } from "./steward_wasm.js";
export type { CatalogClientOptions } from "./steward_wasm.js";
