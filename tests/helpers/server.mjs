// Starts the real steward-server binary on a free loopback port for a test, and stops it after.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import path from "node:path";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The server binary scripts/test.sh built (override with STEWARD_SERVER_BIN). */
export const serverBin =
  process.env.STEWARD_SERVER_BIN ?? path.join(repoRoot, "target/debug/steward-server");

/**
 * Starts `steward-server --port 0 ...args` and resolves to `{url, pid, stop}` once it logs its URL
 * (a large `--demo-scale` takes longer to build: raise `startupMs`).
 * @param {string[]} args
 * @param {{startupMs?: number, bin?: string}} [options] `bin`: another build (the benches use release)
 */
export async function startServer(args = ["--sandbox"], { startupMs = 20_000, bin = serverBin } = {}) {
  const child = spawn(bin, ["--port", "0", ...args], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`steward-server did not log its URL within ${startupMs / 1000} s`)), startupMs);
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`steward-server exited early with ${code}`)));
    lines.on("line", (line) => {
      const match = /listening on (http:\/\/\S+?)\/?(\s|$)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return { url, pid: child.pid, stop };
}
