// What the documents state, checked: ARCHITECTURE.md's dependency rules against what the crates
// really declare (`cargo metadata`) — each crate depends only on what its row of the table
// allows, core has no JavaScript or I/O crate, nothing but the npm package uses the wasm crate —
// and README.md's list of error codes against the package's `StewardErrorCode`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./helpers/server.mjs";

const metadata = JSON.parse(execFileSync("cargo", ["metadata", "--format-version", "1", "--no-deps", "--offline"], { cwd: repoRoot, encoding: "utf8", maxBuffer: 64 << 20 }));
const crates = Object.fromEntries(metadata.packages.map((p) => [p.name, p]));
const architecture = readFileSync(path.join(repoRoot, "ARCHITECTURE.md"), "utf8");

/** The crate names a row's "may depend on" cell allows: `{normal, dev}`. */
function allowed(crateName) {
  const row = architecture.split("\n").find((line) => line.startsWith("| `crates/") && line.includes(`(\`${crateName}\`)`));
  assert.ok(row, `ARCHITECTURE.md has a table row for ${crateName}`);
  const cell = row.split("|").at(-2);
  const [normal, dev = ""] = cell.split(/;\s*tests also/);
  const names = (text) =>
    text
      .replace(/\([^)]*\)/g, "")
      .split(/[,/]/)
      .map((item) => item.trim().split(/\s+/)[0])
      .filter(Boolean)
      .map((name) => (name === "core" ? "steward-core" : name));
  return { normal: new Set(names(normal)), dev: new Set(names(dev)) };
}

function declared(crateName, kinds) {
  return crates[crateName].dependencies.filter((d) => kinds.includes(d.kind)).map((d) => d.name);
}

for (const name of ["steward-core", "steward-wasm", "steward-server"]) {
  test(`${name} depends only on what ARCHITECTURE.md allows it`, () => {
    const rules = allowed(name);
    const extra = declared(name, [null]).filter((d) => !rules.normal.has(d));
    assert.deepEqual(extra, [], `${name} depends on crates its row does not list`);
  });
}

test("core has no JavaScript, network or runtime crate", () => {
  const forbidden = ["wasm-bindgen", "js-sys", "web-sys", "wasm-bindgen-futures", "serde-wasm-bindgen", "tokio", "axum", "hyper", "reqwest"];
  assert.deepEqual(declared("steward-core", [null, "build"]).filter((d) => forbidden.includes(d)), []);
});

test("only the npm package uses the wasm crate: the server and core do not depend on it", () => {
  for (const name of ["steward-core", "steward-server"]) {
    assert.ok(!declared(name, [null, "dev", "build"]).includes("steward-wasm"), name);
  }
});

test("the server's test-only crates are the ones its row names", () => {
  const rules = allowed("steward-server");
  const dev = declared("steward-server", ["dev"]).filter((d) => !rules.normal.has(d) && !rules.dev.has(d));
  assert.deepEqual(dev, []);
});

test("README.md lists every error code the package can throw, and no other", () => {
  const types = readFileSync(path.join(repoRoot, "dist/steward_wasm.d.ts"), "utf8");
  const union = /export type StewardErrorCode =([^;]*);/.exec(types);
  assert.ok(union, "dist/steward_wasm.d.ts exports StewardErrorCode");
  const codes = new Set([...union[1].matchAll(/"([A-Z_]+)"/g)].map((m) => m[1]));
  const readme = readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const section = readme.split("\n## Error codes")[1]?.split("\n## ")[0] ?? "";
  const listed = new Set([...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]));
  assert.deepEqual([...listed].sort(), [...codes].sort());
});
