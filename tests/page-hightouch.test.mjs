// The settings page's Hightouch area in real headless Chromium, against the sandbox workspace of
// steward-server: the setup guide's checklist, the role generator and checker, the key check and
// the crawl preview graph.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { startServer } from "./helpers/server.mjs";
import { launchChromium, openPage, screenshot } from "./helpers/browser.mjs";
import { hightouchSetupSteps } from "../dist/node.js";

const seedsDir = "/work/shared/seeds";
let server;
let browser;

/** The role of the seed (the Hightouch setup guide), exactly as it writes it. */
function seedRole() {
  const file = readdirSync(seedsDir).find((f) => f.startsWith("001_"));
  const text = readFileSync(path.join(seedsDir, file), "utf8");
  const start = text.indexOf("{", text.indexOf("Use the following JSON policy"));
  const end = text.indexOf("6. Click Add Role");
  return JSON.parse(text.slice(start, text.lastIndexOf("}", end) + 1));
}

before(async () => {
  server = await startServer(["--sandbox"]);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Opens the page and waits for the Hightouch area (and its sandbox integration). */
async function openHightouch() {
  const opened = await openPage(browser.context, `${server.url}/`);
  const { page } = opened;
  await page.locator("#hightouch .ht-step").first().waitFor({ timeout: 15_000 });
  await page.locator("#ht-integration option", { hasText: "Sandbox Hightouch" }).waitFor({ state: "attached", timeout: 15_000 });
  return opened;
}

const section = (page) => page.getByRole("region", { name: "Hightouch" });
const step = (page, id) => page.locator(`#hightouch .ht-step[data-step="${id}"]`);

async function checkRole(page, document) {
  const area = section(page);
  await area.getByLabel("Role policy (JSON)", { exact: true }).fill(typeof document === "string" ? document : JSON.stringify(document, null, 2));
  await area.getByRole("button", { name: "Check role", exact: true }).click();
  const result = page.locator("#ht-role-result");
  await page.locator("#ht-role-result[data-state]").waitFor();
  return result;
}

async function checkKey(page, integrationLabel) {
  const area = section(page);
  if (integrationLabel) await area.getByLabel("Hightouch integration").selectOption({ label: integrationLabel });
  await area.getByRole("button", { name: "Check key", exact: true }).click();
  await page.locator('#ht-key-status:is([data-state="ok"], [data-state="error"])').waitFor({ timeout: 15_000 });
  return page.locator("#ht-key-status");
}

test("the checklist shows the seed's five steps, and manual steps are never shown as verified", async () => {
  const { page, problems } = await openHightouch();
  const expected = hightouchSetupSteps();
  const items = page.locator("#hightouch ol.ht-steps > li");
  assert.equal(await items.count(), 5);
  assert.deepEqual(await items.locator("h4").allTextContents(), expected.map((s) => s.title));
  assert.deepEqual(
    await items.evaluateAll((lis) => lis.map((li) => `${li.dataset.step}:${li.dataset.verification}`)),
    ["role:role-check", "group:manual", "system-user:manual", "role-assignment:manual", "api-key:key-check"],
  );
  // Every instruction of every step, in order.
  for (const [i, s] of expected.entries()) {
    assert.deepEqual(await items.nth(i).locator(".ht-instructions li").allTextContents(), s.instructions);
    assert.match(await items.nth(i).textContent(), new RegExp(s.howVerified.slice(0, 40).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  }
  // Nothing is verified before any check.
  for (const id of ["role", "api-key"]) {
    assert.equal(await step(page, id).getAttribute("data-state"), "unchecked");
    assert.match(await step(page, id).locator(".ht-step-status").textContent(), /^Not verified yet/);
  }
  const area = section(page);
  const manual = ["group", "system-user", "role-assignment"];
  for (const id of manual) {
    const s = step(page, id);
    assert.equal(await s.getAttribute("data-state"), "todo");
    assert.equal(await s.locator(".ht-step-status").getAttribute("role"), "status");
    assert.match(await s.locator(".ht-how").textContent(), /cannot verify/);
  }
  // Tick two of the three (by keyboard for one): marked done by the user, never "verified".
  await area.getByRole("checkbox", { name: "Done (Create the group atlan_group)" }).check();
  await area.getByRole("checkbox", { name: "Done (Create a system user in atlan_group)" }).focus();
  await page.keyboard.press("Space");
  for (const id of ["group", "system-user"]) {
    const s = step(page, id);
    assert.equal(await s.getAttribute("data-state"), "done");
    assert.equal(await s.locator(".ht-step-status").textContent(), "Marked done by you — not verifiable by API.");
    assert.equal(await s.locator(".ht-badge").textContent(), "Marked done by you");
  }
  // Even with everything ticked and both checks passing, a manual step says it is not verified.
  await area.getByRole("checkbox", { name: "Done (Assign atlan_role to atlan_group)" }).check();
  await checkRole(page, seedRole());
  await checkKey(page);
  for (const id of manual) {
    const s = step(page, id);
    assert.equal(await s.getAttribute("data-state"), "done");
    assert.doesNotMatch(await s.locator(".ht-badge").textContent(), /verified/i);
    assert.doesNotMatch(await s.locator(".ht-step-status").textContent(), /\bverified\b/i);
  }
  assert.equal(await step(page, "role").getAttribute("data-state"), "verified");
  assert.equal(await step(page, "api-key").getAttribute("data-state"), "verified");
  assert.equal(await page.locator(".ht-progress").textContent(), "Verified by Steward: 2 of 2 · Marked done by you: 3 of 3");
  // Unticking a step makes it "to do" again.
  await area.getByRole("checkbox", { name: "Done (Assign atlan_role to atlan_group)" }).uncheck();
  assert.equal(await step(page, "role-assignment").getAttribute("data-state"), "todo");

  // Every control of the area has a visible label (with the folded parts open).
  await page.locator("#hightouch details").evaluateAll((ds) => ds.forEach((d) => (d.open = true)));
  const unlabelled = await page.locator("#hightouch").evaluate((root) =>
    [...root.querySelectorAll("input, select, textarea")]
      .filter((c) => ![...(c.labels ?? [])].some((l) => l.getClientRects().length > 0 && l.textContent.trim()))
      .map((c) => c.outerHTML),
  );
  assert.deepEqual(unlabelled, []);

  await page.locator("#hightouch details").evaluateAll((ds) => ds.forEach((d) => (d.open = false)));
  await screenshot("hightouch-checklist.png", page.locator("#ht-checklist"));
  assert.deepEqual(problems, []);
  await page.close();
});

test("Copy writes the seed's role, pretty-printed", async () => {
  await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
  const { page, problems } = await openHightouch();
  const role = seedRole();
  const pretty = JSON.stringify(role, null, 2);
  const generator = page.locator("#ht-role-generator");
  assert.equal(await generator.locator("pre").textContent(), pretty);
  assert.match(await generator.textContent(), /Settings > Roles.*Add Role.*atlan_role.*JSON Builder/s);
  await generator.getByRole("button", { name: "Copy", exact: true }).click();
  await page.locator('#ht-copy-status[data-state="ok"]').waitFor();
  assert.equal(await page.locator("#ht-copy-status").textContent(), "Copied to the clipboard.");
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, pretty);
  assert.deepEqual(JSON.parse(copied), role);
  assert.deepEqual(problems, []);
  await page.close();
});

test("the role checker names the extra grants of an over-broad role and passes the generated one", async () => {
  const { page, problems } = await openHightouch();
  const broad = {
    version: "2022-04-26",
    policies: [
      { effect: "allow", actions: ["*"], resource: ["*"] },
      { effect: "allow", actions: ["update"], resource: ["sync"] },
    ],
  };
  const result = await checkRole(page, broad);
  assert.equal(await result.getAttribute("role"), "status");
  assert.equal(await result.getAttribute("data-state"), "error");
  assert.match(await result.textContent(), /^Not least-privilege\./);
  assert.deepEqual(await result.locator(".ht-too-broad li").allTextContents(), ["* on *", "update on sync"]);
  assert.equal(await result.locator(".ht-missing li").count(), 0);
  assert.equal(await step(page, "role").getAttribute("data-state"), "failed");
  assert.match(await step(page, "role").locator(".ht-step-status").textContent(), /not least-privilege \(2 too broad\)/);

  // Explain which statement decides.
  const area = section(page);
  await area.getByText("Explain a decision").click();
  await area.getByLabel("Action", { exact: true }).fill("update");
  await area.getByLabel("Resource", { exact: true }).fill("sync");
  await area.getByRole("button", { name: "Explain", exact: true }).click();
  assert.equal(await page.locator("#ht-explain-result").textContent(), 'Allowed: policies[0] allows "update" on "sync"');

  // Missing resources, warnings with their path, and a deny that takes a needed read away.
  const partial = {
    version: "2022-04-26",
    policies: [
      { effect: "allow", actions: ["read"], resource: ["workspace", "source", "destination", "model", "sync", "sync_templtes"] },
      { effect: "deny", actions: ["read"], resource: ["destination"] },
    ],
  };
  await checkRole(page, partial);
  assert.deepEqual(await result.locator(".ht-missing li").allTextContents(), ["destination", "sync_templates"]);
  const warnings = await result.locator(".ht-warnings li").allTextContents();
  assert.ok(warnings.some((w) => w.startsWith("policies[0].resource[5]: ") && w.includes("sync_templates")), warnings.join("\n"));
  await screenshot("hightouch-role-check-partial.png", page.locator("#hightouch .ht-role-tools"));

  // The over-broad role again, for the screenshot.
  await checkRole(page, broad);
  await screenshot("hightouch-role-check.png", page.locator("#hightouch .ht-role-tools"));

  // The generated role passes, and the role step is then verified.
  await area.getByLabel("Role policy (JSON)", { exact: true }).fill(await page.locator("#ht-role-json").textContent());
  await area.getByRole("button", { name: "Check role", exact: true }).focus();
  await page.keyboard.press("Enter");
  await page.locator('#ht-role-result[data-state="ok"]').waitFor();
  assert.match(await result.textContent(), /^Least-privilege: /);
  assert.equal(await result.locator(".ht-too-broad li, .ht-missing li").count(), 0);
  assert.equal(await step(page, "role").getAttribute("data-state"), "verified");
  assert.equal(await step(page, "role").locator(".ht-badge").textContent(), "Verified");
  // Editing the pasted role takes the verification away until it is checked again.
  await area.getByLabel("Role policy (JSON)", { exact: true }).press("End");
  await area.getByLabel("Role policy (JSON)", { exact: true }).pressSequentially(" ");
  assert.equal(await step(page, "role").getAttribute("data-state"), "stale");
  await area.getByLabel("Role policy (JSON)", { exact: true }).press("Control+Enter");
  assert.equal(await step(page, "role").getAttribute("data-state"), "verified");
  assert.deepEqual(problems, []);
  await page.close();
});

test("an invalid role document shows the located message", async () => {
  const { page, problems } = await openHightouch();
  const result = await checkRole(page, { version: "2022-04-26", policies: [{ effect: "permit", actions: ["read"], resource: ["source"] }] });
  assert.equal(await result.getAttribute("data-state"), "error");
  assert.match(await result.textContent(), /^The role is not a valid policy:/);
  assert.deepEqual(await result.locator(".ht-problems li").allTextContents(), ['policies[0].effect: expected "allow" or "deny", got "permit"']);
  assert.equal(await step(page, "role").getAttribute("data-state"), "failed");
  // Several problems, one per line; text that is not JSON at all.
  await checkRole(page, { version: "2021-01-01", policies: [{ effect: "permit", actions: ["read"], resource: ["source"] }] });
  assert.deepEqual(await result.locator(".ht-problems li").allTextContents(), [
    'version: unknown version "2021-01-01" (expected "2022-04-26")',
    'policies[0].effect: expected "allow" or "deny", got "permit"',
  ]);
  await checkRole(page, "{ not json");
  assert.match(await result.locator(".ht-problems li").first().textContent(), /^\(root\): invalid JSON/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("the key check with the sandbox's read-only key: a table, the notes and the crawl preview graph", async () => {
  const { page, problems } = await openHightouch();
  const area = section(page);
  assert.equal(await area.getByLabel("Hightouch integration").inputValue(), "sandbox-hightouch");
  const status = await checkKey(page);
  assert.equal(await status.getAttribute("role"), "status");
  assert.equal(await status.getAttribute("data-state"), "ok", await status.textContent());
  const table = page.locator("#ht-key-check table");
  assert.deepEqual(await table.locator("thead th").allTextContents(), ["Resource", "Readable", "Objects", "Why"]);
  const rows = await table.locator("tbody tr").evaluateAll((trs) =>
    trs.map((tr) => [tr.dataset.resource, tr.cells[1].textContent, tr.cells[2].textContent]),
  );
  assert.deepEqual(rows, [
    ["source", "Yes", "3"],
    ["destination", "Yes", "5"],
    ["model", "Yes", "7"],
    ["sync", "Yes", "9"],
  ]);
  assert.match(await page.locator("#ht-key-check .ht-notes").textContent(), /cannot prove the key's role is read-only/);
  assert.equal(await step(page, "api-key").getAttribute("data-state"), "verified");

  // The graph: 3 + 7 + 9 + 5 nodes in four columns, 25 links, nothing missing or overlapping.
  const graph = page.locator("#ht-crawl-preview svg");
  assert.equal(await graph.locator("g.node").count(), 24);
  assert.equal(await graph.locator("path.edge").count(), 25);
  assert.deepEqual(await graph.locator(".col-head").allTextContents(), ["Sources · 3", "Models · 7", "Syncs · 9", "Destinations · 5"]);
  assert.equal(await graph.locator("g.node.missing").count(), 0);
  assert.equal(await graph.locator('g.node[data-id="sync:402"] title').textContent(), "Sync: High value customers → Salesforce\nid 402");
  const geometry = await graph.evaluate((svg) => {
    const boxes = [...svg.querySelectorAll("g.node")].map((g) => {
      const r = g.querySelector("rect").getBBox();
      const t = g.querySelector("text").getBBox();
      return { id: g.dataset.id, r, t };
    });
    const overlaps = [];
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) {
        if (a.r.x < b.r.x + b.r.width && b.r.x < a.r.x + a.r.width && a.r.y < b.r.y + b.r.height && b.r.y < a.r.y + a.r.height) overlaps.push(`${a.id} × ${b.id}`);
      }
    }
    const overflowing = boxes.filter(({ r, t }) => t.x < r.x || t.x + t.width > r.x + r.width || t.y < r.y || t.y + t.height > r.y + r.height).map((b) => b.id);
    const view = svg.viewBox.baseVal;
    const outside = boxes.filter(({ r }) => r.x < 0 || r.y < 0 || r.x + r.width > view.width || r.y + r.height > view.height).map((b) => b.id);
    return { overlaps, overflowing, outside };
  });
  assert.deepEqual(geometry, { overlaps: [], overflowing: [], outside: [] });

  // The text alternative: every link, by name.
  const text = page.locator("#ht-crawl-preview .ht-graph-text");
  await text.locator("summary").click();
  const links = await text.locator(".ht-edges li").allTextContents();
  assert.equal(links.length, 25);
  assert.ok(links.includes("source “Snowflake demo” → model “Active customers”"), links.join("\n"));
  assert.ok(links.includes("sync “Active customers → Slack alerts” → destination “Slack alerts”"), links.join("\n"));
  assert.match(await text.textContent(), /Nothing is missing/);
  await text.locator("summary").click();

  await screenshot("hightouch-key-check.png", page.locator("#ht-key-check"), page.locator("#ht-crawl-preview"));
  assert.deepEqual(problems, []);
  await page.close();
});


test("a partial key, added through the Integrations form, can't read destinations and syncs (403)", async () => {
  const { page, problems } = await openHightouch();
  const integrations = page.getByRole("region", { name: "Integrations" });
  await integrations.getByRole("button", { name: "Add integration" }).click();
  const form = integrations.getByRole("form", { name: "Add integration" });
  await form.getByLabel("Name").fill("Reporting key");
  await form.getByLabel("Type").selectOption("hightouch");
  await form.getByLabel("URL").fill(`${server.url}/api/v1`);
  await form.getByLabel("Token", { exact: true }).fill("sandbox-hightouch-partial");
  await form.getByRole("button", { name: "Save integration" }).click();
  await page.locator("#ht-integration option", { hasText: "Reporting key" }).waitFor({ state: "attached" });

  const status = await checkKey(page, "Reporting key");
  assert.equal(await status.getAttribute("data-state"), "error");
  assert.equal(await status.textContent(), "Reporting key: the key can't read destination, sync (HTTP 403: its role lacks read there).");
  const rows = await page.locator("#ht-key-check tbody tr").evaluateAll((trs) =>
    trs.map((tr) => [tr.dataset.resource, tr.cells[1].textContent, tr.cells[2].textContent]),
  );
  assert.deepEqual(rows, [
    ["source", "Yes", "3"],
    ["destination", "No · HTTP 403", "—"],
    ["model", "Yes", "7"],
    ["sync", "No · HTTP 403", "—"],
  ]);
  assert.match(await page.locator('#ht-key-check tr[data-resource="sync"]').textContent(), /the key's role lacks read on sync/);
  assert.equal(await step(page, "api-key").getAttribute("data-state"), "failed");
  const graph = page.locator("#ht-crawl-preview svg");
  assert.equal(await graph.locator("g.node").count(), 10);
  assert.deepEqual(await graph.locator(".placeholder-text").allTextContents(), ["not readable (HTTP 403)", "not readable (HTTP 403)"]);
  await screenshot("hightouch-key-check-partial.png", page.locator("#ht-key-check"), page.locator("#ht-crawl-preview"));

  // The browser logs each refused list (HTTP 403) as a console error: those are expected.
  const unexpected = problems.filter((p) => !/status of 403/.test(p));
  assert.deepEqual(unexpected, []);
  assert.equal(problems.length - unexpected.length, 2, problems.join("\n"));
  await page.close();
});

test("references to objects the key did not list are drawn as dashed missing nodes with their reason", async () => {
  const { page, problems } = await openHightouch();
  // The sandbox's keys never produce one, so this draws a key check as the package reports it.
  await page.evaluate(async () => {
    const { crawlPreview } = await import("/js/hightouch.js");
    const check = {
      resources: [
        { resource: "source", readable: true, count: 1 },
        { resource: "destination", readable: false, status: 403 },
        { resource: "model", readable: true, count: 1 },
        { resource: "sync", readable: true, count: 2 },
      ],
      preview: {
        nodes: [
          { id: "source:101", kind: "source", name: "Snowflake" },
          { id: "model:301", kind: "model", name: "Customers" },
          { id: "sync:401", kind: "sync", name: "Customers → Salesforce" },
          { id: "sync:402", kind: "sync", name: "An old sync" },
          { id: "destination:201", kind: "destination", name: "201", missing: true },
          { id: "model:399", kind: "model", name: "399", missing: true },
        ],
        edges: [
          { from: "source:101", to: "model:301" },
          { from: "model:301", to: "sync:401" },
          { from: "sync:401", to: "destination:201" },
          { from: "model:399", to: "sync:402" },
          { from: "sync:402", to: "destination:201" },
        ],
        dangling: [
          { from: "sync:401", to: "destination:201", reason: "sync 401 refers to destination 201, which this key can't read (HTTP 403)" },
          { from: "sync:402", to: "model:399", reason: "sync 402 refers to model 399, which the workspace did not list (deleted, or another workspace's)" },
          { from: "sync:402", to: "destination:201", reason: "sync 402 refers to destination 201, which this key can't read (HTTP 403)" },
        ],
      },
    };
    const host = document.querySelector("#ht-crawl-preview .ht-preview");
    host.replaceChildren(crawlPreview(check));
  });
  const graph = page.locator("#ht-crawl-preview svg");
  assert.equal(await graph.locator("g.node").count(), 6);
  assert.deepEqual(await graph.locator("g.node.missing").evaluateAll((gs) => gs.map((g) => g.dataset.id)), ["destination:201", "model:399"]);
  assert.equal(await graph.locator('g.node.missing[data-id="model:399"] rect').first().evaluate((r) => getComputedStyle(r).strokeDasharray), "4px, 3px");
  assert.match(await graph.locator('g.node[data-id="destination:201"] title').textContent(), /which this key can't read \(HTTP 403\)/);
  assert.equal(await graph.locator("path.edge.dangling").count(), 3);
  assert.deepEqual(await graph.locator(".col-head").allTextContents(), ["Sources · 1", "Models · 1", "Syncs · 2", "Destinations · 0"]);
  const text = page.locator("#ht-crawl-preview .ht-graph-text");
  await text.locator("summary").click();
  assert.deepEqual(await text.locator(".ht-dangling li").allTextContents(), [
    "sync “Customers → Salesforce” → destination “201” (missing): sync 401 refers to destination 201, which this key can't read (HTTP 403)",
    "sync “An old sync” → model “399” (missing): sync 402 refers to model 399, which the workspace did not list (deleted, or another workspace's)",
    "sync “An old sync” → destination “201” (missing): sync 402 refers to destination 201, which this key can't read (HTTP 403)",
  ]);
  await screenshot("hightouch-graph-missing.png", page.locator("#ht-crawl-preview"));
  assert.deepEqual(problems, []);
  await page.close();
});

test("an unreachable workspace: the key check shows the error's code and message; Cancel stops a check", async () => {
  // A second sandbox whose API connections all close without an answer.
  const dropping = await startServer(["--sandbox", "--faults", "drop"]);
  try {
    const { page, problems } = await openPage(browser.context, `${dropping.url}/`);
    await page.locator("#ht-integration option", { hasText: "Sandbox Hightouch" }).waitFor({ state: "attached", timeout: 15_000 });
    const area = section(page);
    const status = page.locator("#ht-key-status");

    await area.getByRole("button", { name: "Check key", exact: true }).click();
    await area.getByRole("button", { name: "Cancel", exact: true }).click();
    await page.locator('#ht-key-status[data-state="warn"]').waitFor({ timeout: 15_000 });
    assert.equal(await status.textContent(), "Sandbox Hightouch: key check cancelled.");
    assert.equal(await step(page, "api-key").getAttribute("data-state"), "unchecked");
    assert.equal(await area.getByRole("button", { name: "Cancel", exact: true }).isDisabled(), true);

    await area.getByRole("button", { name: "Check key", exact: true }).click();
    await page.locator('#ht-key-status[data-state="error"]').waitFor({ timeout: 60_000 });
    assert.equal(await status.getAttribute("role"), "status");
    assert.equal(await status.locator("code").textContent(), "HIGHTOUCH_UNREACHABLE");
    assert.match(await status.textContent(), /^Sandbox Hightouch: the key check failed\. HIGHTOUCH_UNREACHABLE GET \/api\/v1\/sources\?limit=100&offset=0: Hightouch could not be reached/);
    assert.doesNotMatch(await status.textContent(), /sandbox-hightouch-readonly/);
    assert.equal(await step(page, "api-key").getAttribute("data-state"), "failed");
    assert.equal(await page.locator("#ht-key-check table").count(), 0);
    await screenshot("hightouch-key-unreachable.png", page.locator("#ht-key-check"), page.locator("#ht-crawl-preview"));

    // The dropped (and the cancelled) requests are the expected problems, and only those.
    const unexpected = problems.filter((p) => !/(ERR_EMPTY_RESPONSE|ERR_ABORTED)/.test(p));
    assert.deepEqual(unexpected, []);
    await page.close();
  } finally {
    await dropping.stop();
  }
});
