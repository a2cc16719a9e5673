// Node entry (>= 18): the module is compiled synchronously on import, so it is ready at once.
// Its compiled form is kept for maskColumn's helper thread (js/column-helper.js).
import { readFileSync } from "node:fs";
import { initSync } from "./steward_wasm.js";
import { columnHelper } from "./column-helper.js";
import { setColumnHelper } from "./masking.js";

const module = new WebAssembly.Module(readFileSync(new URL("./steward_wasm_bg.wasm", import.meta.url)));
initSync({ module });
setColumnHelper(columnHelper(module));

export * from "./public.js";
