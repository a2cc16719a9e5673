#!/usr/bin/env node
// The `steward` command (SPEC §5 "CLI", §4): runs a sync, a permissions preflight or the
// Hightouch checks from a terminal or a scheduler. Tokens come from the environment only, never
// from flags: a flag ends up in shell history and in the process list. Exit codes: 0 done, 1 an
// asset failed (sync), the preflight found a blocked asset or a Hightouch check failed, 2 a usage
// error or a failed run, 130 cancelled by Ctrl-C.
import { parseArgs } from "node:util";
import { readFileSync, writeFileSync } from "node:fs";

const TOKEN_ENV = "STEWARD_CATALOG_TOKEN";
const KEY_ENV = "STEWARD_HIGHTOUCH_KEY";

const HELP = {
  main: `Usage: steward <command> [options]

Commands:
  sync        Pull catalog tags onto the inventory and/or push quality results to the catalog
  preflight   List the mapped assets the token can't read or write, before a sync
  hightouch   Hightouch setup: the catalog's read-only role, a role checker, an API-key check

Options:
  -h, --help      Show help (also: steward <command> --help)
  -v, --version   Print the package version

Environment:
  ${TOKEN_ENV}   the catalog API token (required by sync and preflight; never a flag)
  ${KEY_ENV}   the Hightouch API key (required by hightouch check-key; never a flag)

Exit codes: 0 done; 1 an asset failed (sync), an asset is blocked (preflight) or a Hightouch
check failed; 2 usage error or failed run; 130 cancelled (Ctrl-C).
`,
  hightouch: `Usage: steward hightouch <role | check-role FILE | check-key --url URL> [options]

What the catalog needs in Hightouch (its setup guide): a custom role that may read workspace,
source, destination, model, sync and sync_templates and nothing else, and an API key of a
system user whose group has that role.

Commands:
  role                  print the read-only role as JSON, ready to paste into Hightouch's
                        JSON Builder (Settings > Roles > Add Role)
  check-role FILE       check a role policy ("-" reads standard input): least privilege means
                        read on the six resources and nothing more; prints what is missing
                        and what is too broad
  check-key --url URL   list sources, destinations, models and syncs with the key and say,
                        per resource, whether it is readable and how many objects it holds;
                        also prints what the catalog would import. URL is the API, e.g.
                        https://api.hightouch.com (with or without /api/v1)

Options:
  --json                print the result as JSON on stdout
  --page-size N         objects per page for check-key, 1-1000 (default 100)
  -h, --help            show this help

Environment:
  ${KEY_ENV}   the API key (check-key only; there is no --api-key flag)

A key check cannot prove that the key's role is read-only (Hightouch's API never reveals a
key's role): check the role itself with check-role.

Exit codes: 0 ok; 1 the role is not least-privilege, or the key can't read everything the
catalog needs; 2 usage error, a role that does not parse, or Hightouch could not be reached.
`,
  sync: `Usage: steward sync --catalog URL --inventory FILE [options]

Pulls the catalog's tags onto the local inventory as external tags and/or pushes its quality
results to the catalog as custom metadata, with a warning announcement on assets that have
active anomalies.

Required:
  --catalog URL                 the catalog tenant, e.g. https://acme.atlan.com
  --inventory FILE              the local inventory as JSON ("-" reads standard input)

Options:
  --mode pull|push|both         pull tags, push metadata, or both (default: both)
  --dry-run                     plan and report; send no write
  --json                        print the whole report as JSON on stdout
  --log FILE                    write the log: the whole report as JSON when FILE ends in
                                .json, otherwise one JSON line per log entry
  --write-inventory FILE        write the inventory with the pulled external tags to FILE
                                (pull and both), to feed the next run
  --connections QN[,QN...]      catalog connections to map into (repeatable); default: every
                                connection of each datastore's connector
  --no-announcements            neither raise nor clear anomaly announcements
  --overwrite-tags              turn a local tag named like a catalog tag into the external tag
  --include-propagated          pull propagated tags too
  --requests-per-minute N       request budget per minute (0: no limit; default 1800)
  --concurrency N               requests in flight at once, 1-16 (default 4)
  -h, --help                    show this help

Environment:
  ${TOKEN_ENV}   the catalog API token (required; there is no --token flag)

Output: a summary on stdout (or the report with --json); on a terminal, a progress line on
stderr. Exit codes: 0 every asset synced; 1 an asset failed (see the log; a rerun completes
it); 2 usage error or failed run; 130 cancelled (Ctrl-C).
`,
  preflight: `Usage: steward preflight --catalog URL --inventory FILE [options]

Maps the inventory and lists the mapped assets the token can't read tags on or write metadata
to, without writing anything.

Required:
  --catalog URL                 the catalog tenant, e.g. https://acme.atlan.com
  --inventory FILE              the local inventory as JSON ("-" reads standard input)

Options:
  --mode pull|push|both         the checks follow the sync mode (default: both)
  --access-config FILE          the catalog's personas and policies as an access config
                                (JSON): predicts the writes the catalog would refuse
  --connections QN[,QN...]      catalog connections to map into (repeatable)
  --json                        print the whole report as JSON on stdout
  -h, --help                    show this help

Environment:
  ${TOKEN_ENV}   the catalog API token (required; there is no --token flag)

Exit codes: 0 ok; 1 an asset is blocked or nothing maps; 2 usage error or failed check.
`,
};

const COMMON = {
  catalog: { type: "string" },
  inventory: { type: "string" },
  mode: { type: "string" },
  connections: { type: "string", multiple: true },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

const OPTIONS = {
  sync: {
    ...COMMON,
    "dry-run": { type: "boolean" },
    log: { type: "string" },
    "no-announcements": { type: "boolean" },
    "overwrite-tags": { type: "boolean" },
    "include-propagated": { type: "boolean" },
    "requests-per-minute": { type: "string" },
    concurrency: { type: "string" },
    "write-inventory": { type: "string" },
  },
  preflight: { ...COMMON, "access-config": { type: "string" } },
  hightouch: {
    url: { type: "string" },
    json: { type: "boolean" },
    "page-size": { type: "string" },
    help: { type: "boolean", short: "h" },
  },
};

/** An error the user fixes on the command line: printed as is, exit 2. */
class UsageError extends Error {
  constructor(message) {
    super(message);
    this.code = "USAGE";
  }
}

let token = "";

/** Never print the token, whatever a message holds. */
function redact(text) {
  const s = String(text);
  return token ? s.split(token).join("[token]") : s;
}

function integer(value, flag, min, max) {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UsageError(`${flag}: expected a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}

function readInput(file, flag) {
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (e) {
    throw new UsageError(`${flag}: cannot read ${file} (${e.code ?? e.message})`);
  }
}

function writeOutput(file, text, flag) {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new UsageError(`${flag}: cannot write ${file} (${e.code ?? e.message})`);
  }
}

/** Refuses a secret given as a flag, naming the variable it belongs in. */
function refuseSecretFlags(args, env) {
  const refused = args.find((a) => ["--token", "--api-key", "--key"].some((flag) => a === flag || a.startsWith(`${flag}=`)));
  if (refused) throw new UsageError(`${refused.split("=")[0]} is not accepted: a secret on the command line ends up in shell history and the process list; set ${env} instead`);
}

function parseStrict(command, args, allowPositionals) {
  try {
    return parseArgs({ args, options: OPTIONS[command], strict: true, allowPositionals });
  } catch (e) {
    throw new UsageError(`${e.message.split(". ")[0].replace(/\.$/, "")} (see steward ${command} --help)`);
  }
}

function parse(command, args) {
  refuseSecretFlags(args, TOKEN_ENV);
  const parsed = parseStrict(command, args, false);
  const v = parsed.values;
  if (v.help) return { help: true };
  for (const flag of ["catalog", "inventory"]) {
    if (!v[flag]) throw new UsageError(`--${flag} is required (see steward ${command} --help)`);
  }
  const mode = v.mode ?? "both";
  if (!["pull", "push", "both"].includes(mode)) throw new UsageError(`--mode: expected pull, push or both, got "${mode}"`);
  const connections = (v.connections ?? []).flatMap((c) => c.split(",")).map((c) => c.trim()).filter(Boolean);
  token = process.env[TOKEN_ENV] ?? "";
  if (!token.trim()) throw new UsageError(`${TOKEN_ENV} is not set: put the catalog API token in the environment`);
  return { values: v, mode, connections };
}

/** A one-line progress bar on stderr, on a terminal only. */
function progressLine() {
  if (!process.stderr.isTTY) return { update: undefined, clear() {} };
  let last = "";
  const width = 24;
  return {
    update({ phase, done, total }) {
      const share = total > 0 ? Math.min(1, done / total) : 0;
      const filled = Math.round(share * width);
      const line = `${phase.padEnd(8)} ${done}/${total} [${"#".repeat(filled)}${" ".repeat(width - filled)}]`;
      if (line === last) return;
      last = line;
      process.stderr.write(`\r\x1b[2K${line}`);
    },
    clear() {
      if (last) process.stderr.write("\r\x1b[2K");
    },
  };
}

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function syncSummary(report) {
  const c = report.counts;
  const r = report.requests;
  const lines = [];
  const what = { pull: "pull tags", push: "push metadata", both: "pull tags and push metadata" }[report.mode] ?? report.mode;
  lines.push(`${report.dryRun ? "dry run: " : ""}${what}${report.cancelled ? " (cancelled)" : ""}`);
  lines.push(`  assets:        ${c.mapped} mapped, ${c.unmapped} unmapped, ${c.ambiguous} ambiguous`);
  if (report.mode !== "push") {
    lines.push(`  tags:          ${c.tagsAdded} added, ${c.tagsRemoved} removed${report.droppedTags?.length ? `; dropped ${report.droppedTags.join(", ")}` : ""}`);
  }
  if (report.mode !== "pull") {
    if (report.dryRun) {
      lines.push(`  planned:       ${plural(report.plannedWrites.length, "asset write")} (none sent)`);
    } else {
      lines.push(`  metadata:      ${c.metadataWritten} written, ${c.metadataUnchanged} unchanged`);
      lines.push(`  announcements: ${c.announcementsSet} set, ${c.announcementsCleared} cleared, ${c.announcementsKept} kept`);
    }
  }
  lines.push(`  errors:        ${c.errors}`);
  lines.push(`  requests:      ${plural(r.searches, "search", "searches")}, ${plural(r.reads, "read")}, ${plural(r.writes, "write")} in ${(report.durationMs / 1000).toFixed(1)} s`);
  // One line per asset and message: a refused write fails its metadata and announcement alike.
  const errors = [...new Set(report.log.filter((e) => e.result === "error").map((e) => `${e.asset ?? e.qualifiedName ?? e.action}: ${e.message}`))];
  for (const e of errors.slice(0, 10)) lines.push(`  error: ${e}`);
  if (errors.length > 10) lines.push(`  … ${errors.length - 10} more in the log (--log FILE)`);
  return `${lines.join("\n")}\n`;
}

function preflightSummary(report) {
  const lines = [`preflight as ${report.user}: ${report.ok ? "ok" : "not ok"}`];
  lines.push(`  assets: ${report.mapped} mapped, ${report.unmapped} unmapped, ${report.ambiguous} ambiguous`);
  for (const [title, list] of [["cannot read", report.cannotRead], ["cannot write", report.cannotWrite]]) {
    lines.push(`  ${title} (${list.length}):`);
    for (const b of list) lines.push(`    ${b.qualifiedName} (${b.asset}): ${b.actions.join(", ")} — ${b.reason}`);
  }
  if (!report.writesChecked) lines.push("  writes not checked (pass --access-config FILE to predict them)");
  for (const a of report.advice) lines.push(`  advice: ${a}`);
  return `${lines.join("\n")}\n`;
}

async function loadPackage() {
  return import("../dist/node.js");
}

async function sync(args) {
  const parsed = parse("sync", args);
  if (parsed.help) return void process.stdout.write(HELP.sync);
  const { values: v, mode, connections } = parsed;
  const options = {
    dryRun: Boolean(v["dry-run"]),
    announcements: !v["no-announcements"],
    overwriteTags: Boolean(v["overwrite-tags"]),
    includePropagated: Boolean(v["include-propagated"]),
  };
  if (connections.length) options.connections = connections;
  const rpm = integer(v["requests-per-minute"], "--requests-per-minute", 0, 1_000_000);
  if (rpm !== undefined) options.requestsPerMinute = rpm;
  const concurrency = integer(v.concurrency, "--concurrency", 1, 16);
  if (concurrency !== undefined) options.concurrency = concurrency;
  if (v["write-inventory"] && mode === "push") {
    throw new UsageError("--write-inventory: a push run pulls no tags, so it has no inventory to write (use --mode pull or both)");
  }
  const inventory = readInput(v.inventory, "--inventory");

  const { CatalogClient, runSync } = await loadPackage();
  const catalog = new CatalogClient({ baseUrl: v.catalog, token });
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write("\ncancelling: waiting for the writes in flight (Ctrl-C again to quit now)\n");
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  const progress = progressLine();
  let report;
  try {
    report = await runSync({ catalog, inventory, mode, options, onProgress: progress.update, signal: controller.signal });
  } finally {
    progress.clear();
    process.off("SIGINT", onSigint);
  }

  if (v.log) {
    const text = v.log.endsWith(".json")
      ? `${JSON.stringify(report, null, 2)}\n`
      : report.log.map((entry) => JSON.stringify(entry)).join("\n") + (report.log.length ? "\n" : "");
    writeOutput(v.log, text, "--log");
  }
  if (v["write-inventory"] && report.inventory) {
    writeOutput(v["write-inventory"], `${JSON.stringify(report.inventory, null, 2)}\n`, "--write-inventory");
  }
  process.stdout.write(v.json ? `${JSON.stringify(report, null, 2)}\n` : syncSummary(report));
  if (report.cancelled) return 130;
  return report.counts.errors === 0 ? 0 : 1;
}

async function runPreflight(args) {
  const parsed = parse("preflight", args);
  if (parsed.help) return void process.stdout.write(HELP.preflight);
  const { values: v, mode, connections } = parsed;
  const options = { mode };
  if (connections.length) options.connections = connections;
  if (v["access-config"]) options.accessConfig = readInput(v["access-config"], "--access-config");
  const inventory = readInput(v.inventory, "--inventory");
  const { CatalogClient, preflight } = await loadPackage();
  const catalog = new CatalogClient({ baseUrl: v.catalog, token });
  const report = await preflight({ catalog, inventory, options });
  process.stdout.write(v.json ? `${JSON.stringify(report, null, 2)}\n` : preflightSummary(report));
  return report.ok ? 0 : 1;
}

function roleCheckSummary(check) {
  const lines = [check.ok ? "least privilege: ok (read on the six resources the catalog needs, nothing more)" : "least privilege: not ok"];
  if (check.missing.length) lines.push(`  missing read on: ${check.missing.join(", ")}`);
  for (const g of check.tooBroad) lines.push(`  too broad: ${g.action} on ${g.resource}`);
  for (const w of check.warnings) lines.push(`  warning: ${w.path}: ${w.message}`);
  return `${lines.join("\n")}\n`;
}

function keyCheckSummary(check, url) {
  const lines = [`key check against ${url}: ${check.ok ? "every list readable" : check.keyAccepted ? "some lists are not readable" : "the key was refused"}`];
  for (const r of check.resources) {
    lines.push(`  ${r.resource.padEnd(12)} ${r.readable ? `readable, ${r.count}` : `not readable (HTTP ${r.status})`} — ${r.why}`);
  }
  const { nodes, edges, dangling } = check.preview;
  const kinds = ["source", "model", "sync", "destination"].map((k) => plural(nodes.filter((n) => n.kind === k && !n.missing).length, k));
  lines.push(`  the catalog would import: ${kinds.join(", ")}; ${plural(edges.length, "link")}`);
  for (const d of dangling.slice(0, 10)) lines.push(`  dangling: ${d.reason}`);
  if (dangling.length > 10) lines.push(`  … ${dangling.length - 10} more dangling references (--json lists them)`);
  for (const note of check.notes) lines.push(`  note: ${note}`);
  return `${lines.join("\n")}\n`;
}

async function hightouch(args) {
  refuseSecretFlags(args, KEY_ENV);
  const { values: v, positionals } = parseStrict("hightouch", args, true);
  const [command, ...rest] = positionals;
  if (v.help || command === "help") return void process.stdout.write(HELP.hightouch);
  const { HightouchPolicy, HightouchClient, hightouchCatalogRole, checkHightouchKey } = await loadPackage();
  const unexpected = (what) => {
    if (rest.length) throw new UsageError(`${what}: unexpected argument "${rest[0]}" (see steward hightouch --help)`);
  };
  switch (command) {
    case "role":
      unexpected("role");
      process.stdout.write(`${JSON.stringify(hightouchCatalogRole(), null, 2)}\n`);
      return 0;
    case "check-role": {
      if (rest.length !== 1) throw new UsageError("check-role: expected one FILE (\"-\" reads standard input)");
      const policy = HightouchPolicy.parse(readInput(rest[0], "check-role"));
      const check = policy.check();
      process.stdout.write(v.json ? `${JSON.stringify(check, null, 2)}\n` : roleCheckSummary(check));
      return check.ok ? 0 : 1;
    }
    case "check-key": {
      unexpected("check-key");
      if (!v.url) throw new UsageError("check-key: --url is required, e.g. --url https://api.hightouch.com");
      token = process.env[KEY_ENV] ?? "";
      if (!token.trim()) throw new UsageError(`${KEY_ENV} is not set: put the Hightouch API key in the environment`);
      const pageSize = integer(v["page-size"], "--page-size", 1, 1000);
      const client = new HightouchClient({ baseUrl: v.url, apiKey: token, ...(pageSize ? { pageSize } : {}) });
      const check = await checkHightouchKey(client);
      process.stdout.write(v.json ? `${JSON.stringify(check, null, 2)}\n` : keyCheckSummary(check, client.baseUrl));
      return check.ok ? 0 : 1;
    }
    case undefined:
      process.stderr.write(HELP.hightouch);
      return 2;
    default:
      throw new UsageError(`hightouch: unknown command "${command}" (expected role, check-role FILE or check-key --url URL)`);
  }
}

async function main(argv) {
  const [command, ...rest] = argv;
  switch (command) {
    case "sync":
      return sync(rest);
    case "preflight":
      return runPreflight(rest);
    case "hightouch":
      return hightouch(rest);
    case "-v":
    case "--version": {
      const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
      process.stdout.write(`${pkg.version}\n`);
      return 0;
    }
    case "-h":
    case "--help":
    case "help":
      process.stdout.write(HELP.main);
      return 0;
    case undefined:
      process.stderr.write(HELP.main);
      return 2;
    default:
      throw new UsageError(`unknown command "${command}" (see steward --help)`);
  }
}

// A reader that goes away (`steward sync | head`) ends the output, not with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e) => process.exit(e.code === "EPIPE" ? (process.exitCode ?? 0) : 2));
}

try {
  process.exitCode = (await main(process.argv.slice(2))) ?? 0;
} catch (e) {
  // The code and message only: a stack tells a scheduler's log nothing it can act on.
  const code = e?.code ?? "INTERNAL";
  process.stderr.write(redact(`error ${code}: ${e?.message ?? e}`) + "\n");
  process.exitCode = 2;
}
