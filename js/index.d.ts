// Public types of the package: everything the module exports, ready on import (no init call).
export * from "./steward_wasm.js";
