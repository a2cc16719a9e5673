// The npm package as a consumer installs it: packed tarball → temp folder → `import "steward"`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, rmSync } from "node:fs";
import path from "node:path";
import { repoRoot, startServer } from "./helpers/server.mjs";
import { installPackedPackage, npm } from "./helpers/consumer.mjs";

let server;
let consumer;

before(async () => {
  server = await startServer(["--sandbox"]);
  consumer = installPackedPackage("steward-consumer-");
});

after(async () => {
  await server?.stop();
  if (consumer) rmSync(consumer, { recursive: true, force: true });
});

function runInConsumer(source) {
  const file = path.join(consumer, `script-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, source);
  // A script that does not end on its own (a thread keeping it alive) fails instead of hanging.
  return execFileSync(process.execPath, [file], { cwd: consumer, encoding: "utf8", timeout: 60_000 });
}

test("the tarball ships only the built package, README and licence", () => {
  const listing = JSON.parse(npm(["pack", "--dry-run", "--json"], repoRoot))[0].files.map((f) => f.path);
  for (const file of listing) {
    assert.match(file, /^(dist\/|bin\/|schema\/|README\.md$|LICENSE$|package\.json$)/, `unexpected file in the tarball: ${file}`);
  }
  for (const needed of ["dist/node.js", "dist/browser.js", "dist/public.js", "dist/index.d.ts", "dist/steward_wasm_bg.wasm", "LICENSE", "README.md"]) {
    assert.ok(listing.includes(needed), `${needed} is missing from the tarball`);
  }
});

test("mask works on import in Node, with no init call", () => {
  const out = runInConsumer(`import { mask } from "steward";\nconsole.log(mask("1234 Street Name", "REDACT"));\n`);
  assert.equal(out.trim(), "0000 Xxxxxx Xxxx");
});

test("maskColumn masks in the calling thread: the package starts no thread and ships no test hook", () => {
  const out = runInConsumer(
    `import { readdirSync, readFileSync } from "node:fs";\n` +
      `import { mask, maskColumn } from "steward";\n` +
      `const values = Array.from({ length: 100000 }, (_, i) => i % 7 === 0 ? null : "user" + i + "@example.com");\n` +
      `const same = maskColumn(values, "HASH").every((h, i) => h === mask(values[i], "HASH"));\n` +
      `const dist = new URL("./node_modules/steward/dist/", import.meta.url);\n` +
      `const threads = readdirSync(dist).filter((f) => /worker_threads|new Worker|Atomics\\.wait/.test(readFileSync(new URL(f, dist), "latin1")));\n` +
      `const masking = Object.keys(await import(new URL("masking.js", dist).href));\n` +
      `console.log(JSON.stringify({ same, threads, masking }));\n`,
  );
  assert.deepEqual(JSON.parse(out), { same: true, threads: [], masking: ["maskColumn"] });
});

test("errors are Error objects with a stable code", () => {
  const out = runInConsumer(
    `import { mask } from "steward";\n` +
      `try { mask("x", "reed"); } catch (e) { console.log(JSON.stringify({ isError: e instanceof Error, code: e.code, message: e.message })); }\n`,
  );
  const err = JSON.parse(out);
  assert.equal(err.isError, true);
  assert.equal(err.code, "INVALID_MASK");
  assert.match(err.message, /reed/);
});

test("CatalogClient.ping fetches the sandbox's tag definitions", () => {
  const out = runInConsumer(
    `import { CatalogClient } from "steward";\n` +
      `const c = new CatalogClient({ baseUrl: ${JSON.stringify(server.url)}, token: "sandbox-admin-token" });\n` +
      `console.log(await c.ping());\n`,
  );
  assert.ok(Number(out.trim()) >= 2, out);
});

test("a rejected token never appears in the thrown error", () => {
  const out = runInConsumer(
    `import { CatalogClient } from "steward";\n` +
      `const c = new CatalogClient({ baseUrl: ${JSON.stringify(server.url)}, token: "very-secret-token" });\n` +
      `try { await c.ping(); } catch (e) { console.log(JSON.stringify({ code: e.code, text: String(e) + (e.stack ?? "") })); }\n`,
  );
  const err = JSON.parse(out);
  assert.equal(err.code, "CATALOG_UNAUTHORIZED");
  assert.ok(!err.text.includes("very-secret-token"));
});

test("the type definitions compile for a strict TypeScript consumer", () => {
  writeFileSync(
    path.join(consumer, "consumer.ts"),
    [
      `import { mask, maskColumn, CatalogClient, PolicyEngine, type CatalogClientOptions, type Decision, type Verdict } from "steward";`,
      `const masked: string | null = mask("1234 Street Name", "REDACT");`,
      `const column: (string | null)[] = maskColumn(["a", null, 3], "HASH", { key: "secret" });`,
      `const engine = PolicyEngine.fromConfig({ users: [{ name: "ana", role: "member" }] });`,
      `const decision: Decision = engine.decide({ user: "ana", action: "read", asset: { qualifiedName: "default/snowflake/1/DB", typeName: "Database" } });`,
      `const decisions: Decision[] = engine.decideMany([]);`,
      `const verdicts: Verdict[] = engine.decideMany([], { explain: false });`,
      `// @ts-expect-error "reed" is not an action`,
      `engine.decide({ user: "ana", action: "reed", asset: { qualifiedName: "q", typeName: "Table" } });`,
      `const options: CatalogClientOptions = { baseUrl: "http://127.0.0.1:8080", token: "t" };`,
      `const tags: Promise<number> = new CatalogClient(options).ping();`,
      `// @ts-expect-error baseUrl is required`,
      `new CatalogClient({ token: "t" });`,
      `import { HightouchPolicy, HightouchClient, checkHightouchKey, hightouchCatalogRole, hightouchSetupSteps, type Effect, type HightouchEffect, type HightouchRoleCheck, type HightouchKeyCheck, type StewardErrorCode } from "steward";`,
      `const accessEffect: Effect = "mask";`,
      `const statementEffect: HightouchEffect = "deny";`,
      `// @ts-expect-error a Hightouch statement has no "mask" effect`,
      `const wrongEffect: HightouchEffect = "mask";`,
      `const role = HightouchPolicy.parse(hightouchCatalogRole());`,
      `const verdict: HightouchRoleCheck = role.check();`,
      `const allowed: boolean = role.allows("read", "sync") && role.explain("read", "sync").allowed;`,
      `const firstStep: "role-check" | "key-check" | "manual" = hightouchSetupSteps()[0].verification;`,
      `const keyCheck: Promise<HightouchKeyCheck> = checkHightouchKey(new HightouchClient({ baseUrl: "https://api.hightouch.com", apiKey: "k", pageSize: 50 }));`,
      `// @ts-expect-error apiKey is required`,
      `new HightouchClient({ baseUrl: "https://api.hightouch.com" });`,
      `const code: StewardErrorCode = "INVALID_POLICY";`,
      `export { masked, column, decision, decisions, verdicts, tags, accessEffect, statementEffect, wrongEffect, verdict, allowed, firstStep, keyCheck, code };`,
    ].join("\n"),
  );
  const tsc = path.join(repoRoot, "node_modules/typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--lib", "es2022,dom", "consumer.ts"], { cwd: consumer, encoding: "utf8" });
});

for (const name of ["consumer", "access", "masking", "sync", "hightouch"]) {
  test(`the README's ${name} example runs and prints what it says`, () => {
    const readme = readFileSync(path.join(repoRoot, "README.md"), "utf8");
    const match = new RegExp(`<!-- example:${name} -->\\s*\`\`\`js\\n([\\s\\S]*?)\`\`\``).exec(readme);
    assert.ok(match, `README.md has a js block after <!-- example:${name} -->`);
    const source = match[1].replaceAll("http://127.0.0.1:8080", server.url);
    const expected = [...source.matchAll(/\/\/ → (.*)$/gm)].map((m) => m[1].trim());
    const printed = runInConsumer(source).trim().split("\n");
    assert.equal(printed.length, expected.length, `printed: ${printed.join(" | ")}`);
    expected.forEach((want, i) => {
      if (want.startsWith("/")) assert.match(printed[i], new RegExp(want.slice(1, -1)));
      else assert.equal(printed[i], want);
    });
  });
}
