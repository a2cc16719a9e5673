// The npm package as a consumer installs it: `npm pack` → a temp folder with its own
// package.json → `npm install ./steward-*.tgz`. Used by every test file that tests the package.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { repoRoot } from "./server.mjs";

/** Runs npm quietly in `cwd` and returns its output. */
export const npm = (args, cwd) =>
  execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, encoding: "utf8" });

/** Packs the repository and installs the tarball into a new temp folder; returns the folder. */
export function installPackedPackage(prefix = "steward-consumer-") {
  const consumer = mkdtempSync(path.join(tmpdir(), prefix));
  npm(["pack", "--pack-destination", consumer], repoRoot);
  const tarball = readdirSync(consumer).find((f) => f.endsWith(".tgz"));
  assert.ok(tarball, "npm pack produced a tarball");
  writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", type: "module", private: true }));
  npm(["install", `./${tarball}`], consumer);
  return consumer;
}
