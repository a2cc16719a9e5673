// The `steward` command as a consumer installs it (packed tarball → temp folder →
// node_modules/.bin/steward), against real sandbox tenants. Every run is checked for the token
// on stdout and stderr.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startServer } from "./helpers/server.mjs";
import { installPackedPackage } from "./helpers/consumer.mjs";

const INTEGRATION = "sandbox-integration-token";
const RESTRICTED = "sandbox-restricted-token";
const GUEST = "sandbox-guest-token";
const SALES = "default/snowflake/1700000000/SALES_DB/SALES";

let consumer;
let bin;
let demo;
let demoInventory;
const servers = [];

before(async () => {
  consumer = installPackedPackage("steward-cli-");
  bin = path.join(consumer, "node_modules/.bin/steward");
  assert.ok(existsSync(bin), "the package installs a steward command");
  demo = await sandbox();
  demoInventory = await saveInventory(demo, "demo-inventory.json");
});

after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  if (consumer) rmSync(consumer, { recursive: true, force: true });
});

async function sandbox() {
  const server = await startServer(["--sandbox"]);
  servers.push(server);
  return server;
}

async function saveInventory(server, name, transform = (x) => x) {
  const file = path.join(consumer, name);
  writeFileSync(file, JSON.stringify(transform(await (await fetch(`${server.url}/sandbox/inventory`)).json())));
  return file;
}

/**
 * Runs the installed `steward` with `args`; `token` goes to STEWARD_CATALOG_TOKEN and `key` to
 * STEWARD_HIGHTOUCH_KEY (none when null); `input` is written to its standard input. Resolves to
 * {status, stdout, stderr} after checking neither output names the token or the key.
 */
function steward(args, { token = INTEGRATION, key = null, input, command = [bin] } = {}) {
  const env = { ...process.env };
  delete env.STEWARD_CATALOG_TOKEN;
  delete env.STEWARD_HIGHTOUCH_KEY;
  if (token !== null) env.STEWARD_CATALOG_TOKEN = token;
  if (key !== null) env.STEWARD_HIGHTOUCH_KEY = key;
  return new Promise((resolve, reject) => {
    const [file, ...pre] = command;
    const child = spawn(file, [...pre, ...args], { cwd: consumer, env, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    if (input !== undefined) child.stdin.end(input);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      for (const secret of [token, key].filter(Boolean)) {
        assert.ok(!stdout.includes(secret), `the secret is on stdout of steward ${args.join(" ")}`);
        assert.ok(!stderr.includes(secret), `the secret is on stderr of steward ${args.join(" ")}`);
      }
      resolve({ status, stdout, stderr });
    });
  });
}

async function customers(server) {
  const url = `${server.url}/api/meta/entity/uniqueAttribute/type/Table?attr:qualifiedName=${encodeURIComponent(`${SALES}/CUSTOMERS`)}`;
  return (await (await fetch(url, { headers: { authorization: "Bearer sandbox-admin-token" } })).json()).entity;
}

describe("help", () => {
  test("steward --help lists the commands and the token's environment variable", async () => {
    const { status, stdout } = await steward(["--help"]);
    assert.equal(status, 0);
    for (const word of ["sync", "preflight", "hightouch", "STEWARD_CATALOG_TOKEN"]) assert.ok(stdout.includes(word), word);
  });

  test("steward sync --help documents every flag and STEWARD_CATALOG_TOKEN", async () => {
    const { status, stdout } = await steward(["sync", "--help"], { token: null });
    assert.equal(status, 0);
    for (const flag of ["--catalog", "--inventory", "--mode", "--dry-run", "--json", "--log", "--connections", "--no-announcements", "--overwrite-tags", "--include-propagated", "--requests-per-minute", "--concurrency", "--write-inventory", "STEWARD_CATALOG_TOKEN"]) {
      assert.ok(stdout.includes(flag), flag);
    }
  });

  test("steward preflight --help documents every flag and STEWARD_CATALOG_TOKEN", async () => {
    const { status, stdout } = await steward(["preflight", "--help"], { token: null });
    assert.equal(status, 0);
    for (const flag of ["--catalog", "--inventory", "--mode", "--access-config", "--connections", "--json", "STEWARD_CATALOG_TOKEN"]) assert.ok(stdout.includes(flag), flag);
  });
});

describe("sync", () => {
  test("sync --dry-run --json exits 0, prints the report and writes nothing", async () => {
    const log = path.join(consumer, "dry-report.json");
    const { status, stdout, stderr } = await steward(["sync", "--catalog", demo.url, "--inventory", demoInventory, "--dry-run", "--json", "--log", log]);
    assert.equal(status, 0, stderr);
    assert.equal(stderr, "", "no progress noise when stderr is not a terminal");
    const report = JSON.parse(stdout);
    assert.equal(report.dryRun, true);
    assert.equal(report.requests.writes, 0);
    assert.ok(report.plannedWrites.length > 0);
    assert.deepEqual(JSON.parse(readFileSync(log, "utf8")), report, "--log FILE.json holds the whole report");
    assert.ok(!(await customers(demo)).attributes.announcementType, "no announcement was written");
  });

  test("sync, then sync again on its --write-inventory output: the second run writes nothing", async () => {
    const server = await sandbox();
    const inventory = await saveInventory(server, "first-inventory.json");
    const next = path.join(consumer, "next-inventory.json");
    const log = path.join(consumer, "sync.jsonl");
    const first = await steward(["sync", "--catalog", server.url, "--inventory", inventory, "--write-inventory", next, "--log", log]);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /1085 mapped/);
    assert.match(first.stdout, /metadata: +\d+ written/);
    assert.match(first.stdout, /requests: +\d+ searches, \d+ reads?, [1-9]\d* writes in [\d.]+ s/);
    const entries = readFileSync(log, "utf8").trim().split("\n").map((line) => JSON.parse(line));
    assert.ok(entries.some((e) => e.action === "announcement" && e.result === "kept"), "one JSON line per log entry");
    const written = JSON.parse(readFileSync(next, "utf8"));
    assert.ok(written.datastores.some((d) => d.containers.some((c) => c.fields.some((f) => f.externalTags.includes("PII")))), "the pulled tags are in the written inventory");
    const second = await steward(["sync", "--catalog", server.url, "--inventory", next, "--json"]);
    assert.equal(second.status, 0, second.stderr);
    const report = JSON.parse(second.stdout);
    assert.equal(report.requests.writes, 0);
    assert.equal(report.counts.metadataWritten, 0);
    assert.equal(report.counts.tagsAdded + report.counts.tagsRemoved, 0);
  });

  test("flags reach the run: --mode pull --no-announcements --connections", async () => {
    const { status, stdout, stderr } = await steward(["sync", "--catalog", demo.url, "--inventory", demoInventory, "--mode", "pull", "--no-announcements", "--connections", "default/snowflake/1700000000", "--requests-per-minute", "0", "--concurrency", "2", "--json"]);
    assert.equal(status, 0, stderr);
    const report = JSON.parse(stdout);
    assert.equal(report.mode, "pull");
    assert.equal(report.requests.writes, 0);
    assert.equal(report.counts.mapped, 1085);
    const none = await steward(["sync", "--catalog", demo.url, "--inventory", demoInventory, "--mode", "pull", "--connections", "default/snowflake/1", "--json"]);
    assert.equal(JSON.parse(none.stdout).counts.mapped, 0, "another connection maps nothing");
  });

  test("a sync where assets fail exits 1 and names them", async () => {
    // The guest may read SALES_DB but write nothing.
    const server = await sandbox();
    const inventory = await saveInventory(server, "guest-inventory.json", (inv) => {
      const sales = inv.datastores.find((d) => d.name === "SALES_DB.SALES");
      return { datastores: [{ ...sales, containers: sales.containers.filter((c) => c.name === "CUSTOMERS") }] };
    });
    const { status, stdout } = await steward(["sync", "--catalog", server.url, "--inventory", inventory, "--mode", "push", "--requests-per-minute", "0"], { token: GUEST });
    assert.equal(status, 1, stdout);
    assert.match(stdout, /errors: +[1-9]/);
    assert.match(stdout, /error: SALES_DB\.SALES\.CUSTOMERS/);
  });

  test("on a terminal, a progress line is drawn on stderr", { skip: !existsSync("/usr/bin/script") && "util-linux script is missing" }, async () => {
    const line = [bin, "sync", "--catalog", demo.url, "--inventory", demoInventory, "--dry-run"].map((a) => `'${a}'`).join(" ");
    const { status, stdout } = await steward(["-qec", line, "/dev/null"], { command: ["script"] });
    assert.equal(status, 0, stdout);
    assert.match(stdout, /\r\x1b\[2Kpush +\d+\/1085/);
    assert.match(stdout, /dry run: pull tags and push metadata/);
  });
});

describe("preflight", () => {
  test("preflight with the integration token exits 0 and says ok", async () => {
    const { status, stdout } = await steward(["preflight", "--catalog", demo.url, "--inventory", demoInventory]);
    assert.equal(status, 0, stdout);
    assert.match(stdout, /: ok/);
    assert.match(stdout, /cannot read \(0\)/);
  });

  test("preflight with the restricted token exits 1 and names FINANCE_DB.HR", async () => {
    const { status, stdout } = await steward(["preflight", "--catalog", demo.url, "--inventory", demoInventory], { token: RESTRICTED });
    assert.equal(status, 1, stdout);
    assert.match(stdout, /not ok/);
    assert.match(stdout, /cannot read \(\d+\)/);
    assert.ok(stdout.includes("FINANCE_DB/HR"));
    assert.ok(!/SALES_DB\/SALES\/CUSTOMERS /.test(stdout));
    const json = await steward(["preflight", "--catalog", demo.url, "--inventory", demoInventory, "--json"], { token: RESTRICTED });
    assert.equal(json.status, 1);
    const report = JSON.parse(json.stdout);
    assert.equal(report.ok, false);
    assert.ok(report.cannotRead.every((b) => b.qualifiedName.includes("/FINANCE_DB/HR")));
  });

  test("preflight --access-config predicts the writes the catalog would refuse", async () => {
    const config = path.join(consumer, "access-config.json");
    writeFileSync(config, await (await fetch(`${demo.url}/sandbox/access-config`)).text());
    const guest = await steward(["preflight", "--catalog", demo.url, "--inventory", demoInventory, "--access-config", config, "--mode", "push"], { token: GUEST });
    assert.equal(guest.status, 1, guest.stderr);
    assert.match(guest.stdout, /cannot write \([1-9]\d*\)/);
    assert.match(guest.stdout, /SALES_DB\/SALES\/CUSTOMERS \(SALES_DB\.SALES\.CUSTOMERS\): update-custom-metadata/);
    const integration = await steward(["preflight", "--catalog", demo.url, "--inventory", demoInventory, "--access-config", config]);
    assert.equal(integration.status, 0, integration.stdout);
    assert.ok(!integration.stdout.includes("writes not checked"));
  });
});

describe("errors", () => {
  test("--token is refused with a pointer to STEWARD_CATALOG_TOKEN", async () => {
    for (const flag of [["--token", "very-secret-flag-token"], ["--token=very-secret-flag-token"]]) {
      const { status, stdout, stderr } = await steward(["sync", "--catalog", demo.url, "--inventory", demoInventory, ...flag]);
      assert.equal(status, 2);
      assert.match(stderr, /--token/);
      assert.match(stderr, /STEWARD_CATALOG_TOKEN/);
      assert.ok(!(stdout + stderr).includes("very-secret-flag-token"), "the flag's value is not echoed");
    }
  });

  test("without STEWARD_CATALOG_TOKEN, sync and preflight exit 2 with a clear error", async () => {
    for (const command of ["sync", "preflight"]) {
      const { status, stdout, stderr } = await steward([command, "--catalog", demo.url, "--inventory", demoInventory], { token: null });
      assert.equal(status, 2);
      assert.equal(stdout, "");
      assert.match(stderr, /^error \w+: STEWARD_CATALOG_TOKEN is not set/);
    }
  });

  test("a refused token prints error CATALOG_UNAUTHORIZED without a stack, and exits 2", async () => {
    const token = "revoked-secret-token-123";
    const { status, stderr } = await steward(["sync", "--catalog", demo.url, "--inventory", demoInventory], { token });
    assert.equal(status, 2);
    assert.match(stderr, /^error CATALOG_UNAUTHORIZED: /);
    assert.equal(stderr.trim().split("\n").length, 1, "one line, no stack");
    assert.ok(!/\n\s+at /.test(stderr));
  });

  test("usage errors exit 2 and say what is wrong", async () => {
    const cases = [
      [["sync", "--catalog", demo.url, "--inventory", demoInventory, "--frobnicate"], /--frobnicate/],
      [["sync", "--catalog", demo.url, "--inventory", demoInventory, "--mode", "sideways"], /--mode/],
      [["sync", "--catalog", demo.url], /--inventory is required/],
      [["sync", "--catalog", demo.url, "--inventory", path.join(consumer, "missing.json")], /cannot read/],
      [["sync", "--catalog", demo.url, "--inventory", demoInventory, "--concurrency", "99"], /--concurrency/],
      [["sync", "--catalog", demo.url, "--inventory", demoInventory, "--mode", "push", "--write-inventory", "x.json"], /--write-inventory/],
      [["frobnicate"], /unknown command/],
    ];
    for (const [args, message] of cases) {
      const { status, stderr } = await steward(args);
      assert.equal(status, 2, args.join(" "));
      assert.match(stderr, /^error \w+: /);
      assert.match(stderr, message);
    }
  });

  test("an invalid inventory is reported with the library's code", async () => {
    const file = path.join(consumer, "bad-inventory.json");
    writeFileSync(file, JSON.stringify({ datastores: [{ id: 1 }] }));
    const { status, stderr } = await steward(["sync", "--catalog", demo.url, "--inventory", file]);
    assert.equal(status, 2);
    assert.match(stderr, /^error INVALID_INVENTORY: .*datastores\[0\]/);
  });
});

describe("hightouch", () => {
  const SEED_ROLE = {
    version: "2022-04-26",
    policies: [{ effect: "allow", actions: ["read"], resource: ["workspace", "source", "destination", "model", "sync", "sync_templates"] }],
  };

  test("hightouch --help documents the three commands and STEWARD_HIGHTOUCH_KEY", async () => {
    const { status, stdout } = await steward(["hightouch", "--help"], { token: null });
    assert.equal(status, 0);
    for (const word of ["role", "check-role FILE", "check-key --url URL", "--json", "--page-size", "STEWARD_HIGHTOUCH_KEY", "cannot prove"]) assert.ok(stdout.includes(word), word);
  });

  test("hightouch role prints the setup guide's role, key for key and in its order", async () => {
    const { status, stdout } = await steward(["hightouch", "role"], { token: null });
    assert.equal(status, 0);
    assert.equal(stdout, `${JSON.stringify(SEED_ROLE, null, 2)}\n`);
  });

  test("hightouch check-role accepts the generated role from standard input", async () => {
    const { stdout: role } = await steward(["hightouch", "role"], { token: null });
    const { status, stdout } = await steward(["hightouch", "check-role", "-"], { token: null, input: role });
    assert.equal(status, 0, stdout);
    assert.match(stdout, /^least privilege: ok/);
  });

  test("hightouch check-role names what is missing and the exact extra grants, and exits 1", async () => {
    const file = path.join(consumer, "broad-role.json");
    writeFileSync(file, JSON.stringify({ version: "2022-04-26", policies: [
      { effect: "allow", actions: ["read", "update"], resource: ["*"] },
      { effect: "deny", actions: ["*"], resource: ["sync"] },
      { effect: "allow", actions: ["reed"], resource: ["modle"] },
    ] }));
    const { status, stdout } = await steward(["hightouch", "check-role", file], { token: null });
    assert.equal(status, 1);
    assert.match(stdout, /missing read on: sync\n/);
    assert.match(stdout, /too broad: read on \*\n/);
    assert.match(stdout, /too broad: update on \*\n/);
    assert.match(stdout, /warning: policies\[2\]\.actions\[0\]: unknown action "reed": did you mean "read"\?/);
    const json = await steward(["hightouch", "check-role", file, "--json"], { token: null });
    const check = JSON.parse(json.stdout);
    assert.deepEqual(check.missing, ["sync"]);
    assert.deepEqual(check.tooBroad, [{ action: "read", resource: "*" }, { action: "update", resource: "*" }, { action: "reed", resource: "modle" }]);
  });

  test("hightouch check-role on a document that does not parse exits 2 with INVALID_POLICY and the place", async () => {
    const { status, stderr } = await steward(["hightouch", "check-role", "-"], {
      token: null,
      input: JSON.stringify({ version: "2022-04-26", policies: [{ effect: "permit", actions: ["read"], resource: ["source"] }] }),
    });
    assert.equal(status, 2);
    assert.equal(stderr, 'error INVALID_POLICY: policies[0].effect: expected "allow" or "deny", got "permit"\n');
  });

  test("hightouch check-key with the read-only key: every list readable, counts and the crawl preview", async () => {
    const { status, stdout, stderr } = await steward(["hightouch", "check-key", "--url", `${demo.url}/api/v1`, "--page-size", "2"], { token: null, key: "sandbox-hightouch-readonly" });
    assert.equal(status, 0, stderr);
    assert.match(stdout, /every list readable/);
    assert.match(stdout, /source\s+readable, 3/);
    assert.match(stdout, /sync\s+readable, 9/);
    assert.match(stdout, /would import: 3 sources, 7 models, 9 syncs, 5 destinations/);
    assert.match(stdout, /cannot prove/);
  });

  test("hightouch check-key with the partial key names the refused lists and exits 1", async () => {
    const { status, stdout } = await steward(["hightouch", "check-key", "--url", demo.url, "--json"], { token: null, key: "sandbox-hightouch-partial" });
    assert.equal(status, 1);
    const check = JSON.parse(stdout);
    assert.deepEqual(check.resources.map((r) => [r.resource, r.readable]), [["source", true], ["destination", false], ["model", true], ["sync", false]]);
  });

  test("hightouch check-key with a wrong key says so without echoing it", async () => {
    const { status, stdout } = await steward(["hightouch", "check-key", "--url", demo.url], { token: null, key: "wrong-hightouch-key-5d1e" });
    assert.equal(status, 1);
    assert.match(stdout, /the key was refused/);
    assert.match(stdout, /the key is wrong/);
  });

  test("hightouch check-key takes the key from the environment only", async () => {
    const missing = await steward(["hightouch", "check-key", "--url", demo.url], { token: null });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /STEWARD_HIGHTOUCH_KEY is not set/);
    const flag = await steward(["hightouch", "check-key", "--url", demo.url, "--api-key=sandbox-hightouch-readonly"], { token: null });
    assert.equal(flag.status, 2);
    assert.match(flag.stderr, /--api-key is not accepted/);
    assert.ok(!flag.stderr.includes("sandbox-hightouch-readonly"));
  });

  test("hightouch check-key against an unreachable URL exits 2 with HIGHTOUCH_UNREACHABLE", async () => {
    const { status, stderr } = await steward(["hightouch", "check-key", "--url", "http://127.0.0.1:9"], { token: null, key: "sandbox-hightouch-readonly" });
    assert.equal(status, 2);
    assert.match(stderr, /^error HIGHTOUCH_UNREACHABLE: /);
  });

  test("an unknown hightouch command is a usage error", async () => {
    const { status, stderr } = await steward(["hightouch", "delete-role"], { token: null });
    assert.equal(status, 2);
    assert.match(stderr, /unknown command "delete-role"/);
  });
});
