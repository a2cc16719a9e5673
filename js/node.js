// Node entry (>= 18): the module is compiled and instantiated synchronously on import, so it is
// ready at once.
import { readFileSync } from "node:fs";
import { initSync } from "./steward_wasm.js";

initSync({ module: new WebAssembly.Module(readFileSync(new URL("./steward_wasm_bg.wasm", import.meta.url))) });

export * from "./public.js";
