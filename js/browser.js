// Browser and bundler entry: fetches and instantiates the module once, on import.
import init from "./steward_wasm.js";

await init({ module_or_path: new URL("./steward_wasm_bg.wasm", import.meta.url) });

export * from "./public.js";
