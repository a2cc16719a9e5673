// A throwaway PostgreSQL 15 cluster for tests: a temp data dir, UTF-8 with the C.UTF-8 locale,
// trust auth, listening only on 127.0.0.1 at a free port (and a socket in the temp dir, so it
// never touches the system's /var/run/postgresql). Started in about a second; `stop()` removes it.
//
// initdb refuses to run as root, so as root (CI) the cluster belongs to the `postgres` user and
// every server command runs through `runuser -u postgres`; as any other user it runs as that
// user. The only case we can't handle is root without runuser: then `startPostgres` returns
// `{ skip }` with the reason, for `test(..., { skip })`.

import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PG_BIN = process.env.STEWARD_PG_BIN ?? "/usr/lib/postgresql/15/bin";

function which(command) {
  return spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" }).status === 0;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a cluster. Resolves to `{ host, port, user, database, dir, stop() }`, or to `{ skip }`
 * (a reason string) when this machine can't run one as explained above.
 */
export async function startPostgres() {
  const initdb = join(PG_BIN, "initdb");
  const pgCtl = join(PG_BIN, "pg_ctl");
  if (!existsSync(initdb) || !existsSync(pgCtl)) {
    // Not a skip: CI installs PostgreSQL 15 (Debian's `postgresql`), so this is a setup bug.
    throw new Error(`PostgreSQL 15 is not installed (no ${initdb}); apt-get install postgresql`);
  }
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (isRoot && !which("runuser")) {
    return { skip: "running as root without runuser: initdb can't run as root, and there is no way to become the postgres user" };
  }

  const dir = mkdtempSync(join(tmpdir(), "steward-pg-"));
  const run = (command, args) => {
    const [file, argv] = isRoot ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
    return execFileSync(file, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  };
  if (isRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }

  const data = join(dir, "data");
  const user = "postgres";
  const port = await freePort();
  let running = false;
  const stop = () => {
    if (running) {
      running = false;
      spawnSync(isRoot ? "runuser" : pgCtl, isRoot ? ["-u", "postgres", "--", pgCtl, "-D", data, "-m", "immediate", "-w", "stop"] : ["-D", data, "-m", "immediate", "-w", "stop"], { stdio: "ignore" });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // If the test process dies mid-way, don't leave a server behind.
  process.once("exit", stop);

  try {
    run(initdb, ["-D", data, "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "-U", user]);
    run(pgCtl, [
      "-D", data,
      "-l", join(dir, "server.log"),
      "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      "-w", "start",
    ]);
    running = true;
  } catch (error) {
    stop();
    throw new Error(`could not start PostgreSQL: ${error.stderr || error.message}`);
  }
  return { host: "127.0.0.1", port, user, database: "postgres", dir, stop };
}
