// The settings page in real headless Chromium, served by steward-server on the sandbox: the
// shell, integrations and the sync dialog, one test per flow. (The simulator, the masked
// preview and Hightouch have their own files.) Any console error fails a test unless the test
// expects it by text; every flow leaves a screenshot in tests/artifacts/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./helpers/server.mjs";
import { launchChromium, openPage, screenshot } from "./helpers/browser.mjs";

let browser;
const servers = [];

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await Promise.all(servers.map((s) => s.stop()));
});

async function sandbox(extra = [], options) {
  const server = await startServer(["--sandbox", ...extra], options);
  servers.push(server);
  return server;
}

/** Opens the page and waits for the engine. */
async function open(server) {
  const { page, problems } = await openPage(browser.context, `${server.url}/`);
  await page.locator('#engine-status[data-state="ok"]').waitFor({ timeout: 15_000 });
  return { page, problems };
}

/** The problems left once those a test expects (by text) are taken out. */
function unexpected(problems, ...expected) {
  return problems.filter((p) => !expected.some((re) => re.test(p)));
}


/** Adds an integration through the form. */
async function addIntegration(page, { name, type = "catalog", url, token, remember = false }) {
  await page.getByRole("button", { name: "Add integration" }).click();
  const form = page.getByRole("form", { name: "Add integration" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Type").selectOption(type);
  await form.getByLabel("URL").fill(url);
  await form.getByLabel("Token").fill(token);
  if (remember) await form.getByLabel("Remember on this device").check();
  await form.getByRole("button", { name: "Save integration" }).click();
  const card = page.locator(`li.card[data-name="${name}"]`);
  await card.waitFor();
  return card;
}

async function testConnection(card) {
  await card.getByRole("button", { name: "Test connection" }).click();
  const status = card.getByRole("status");
  await card.locator('[role=status]:not([data-state="busy"])[data-state]').waitFor({ timeout: 20_000 });
  return { state: await status.getAttribute("data-state"), text: await status.textContent() };
}

/** Starts a sync and waits for its end; returns the status text. */
async function runSync(page, { mode = "both", dryRun = false, timeout = 120_000 } = {}) {
  const sync = page.locator("#sync");
  await sync.getByLabel({ both: "Pull tags and push metadata", pull: "Pull tags", push: "Push metadata" }[mode], { exact: true }).check();
  await sync.getByLabel("Dry run (plan only, write nothing)").setChecked(dryRun);
  await sync.getByRole("button", { name: "Start sync" }).click();
  await page.waitForFunction(() => {
    const s = document.querySelector("#sync-status");
    return s && s.dataset.state && s.dataset.state !== "busy" && !document.querySelector("#sync button.primary:disabled");
  }, null, { timeout });
  return page.locator("#sync-status").textContent();
}

async function summaryValue(page, label) {
  const item = page.locator("#sync-summary .count", { has: page.locator("dt", { hasText: new RegExp(`^${label}$`) }) });
  return Number((await item.locator("dd").textContent({ timeout: 2_000 })).replaceAll(",", ""));
}

/** The preflight probes the qualified names of the demo's deliberately unmapped assets: the catalog answers 404, which Chromium logs. */
const PREFLIGHT_404 = /Failed to load resource: the server responded with a status of 404/;

test("the page has a landmark section per area, labelled controls and a strict CSP", async () => {
  const server = await sandbox();
  const response = await fetch(`${server.url}/`);
  const csp = response.headers.get("content-security-policy");
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(csp, /connect-src 'self'/);
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);
  const { page, problems } = await open(server);
  for (const name of ["Integrations", "Sync", "Access simulator", "Masked preview", "Hightouch"]) {
    assert.equal(await page.getByRole("region", { name, exact: true }).count(), 1, name);
  }
  // Every form control has a visible label.
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea")]
      .filter((c) => c.type !== "hidden" && !c.closest("[hidden]") && !(c.labels && [...c.labels].some((l) => l.textContent.trim() && l.offsetParent !== null)))
      .map((c) => c.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(unlabelled, []);
  assert.equal(await page.locator('li.card[data-name="Sandbox catalog"]').count(), 1);
  await screenshot("page-overview.png", page);
  assert.deepEqual(unexpected(problems), []);
});

test("an integration with a good token says who it is; a bad token is refused in words", async () => {
  const server = await sandbox();
  const { page, problems } = await open(server);
  const good = await addIntegration(page, { name: "Admin catalog", url: server.url, token: "sandbox-admin-token" });
  const ok = await testConnection(good);
  assert.equal(ok.state, "ok", ok.text);
  assert.match(ok.text, /Connected as sandbox-admin \(\$admin/);
  assert.match(ok.text, /5 tag definitions readable/);
  assert.match(ok.text, /setup assistant/);
  const bad = await addIntegration(page, { name: "Wrong token", url: server.url, token: "wrong-but-secret-token-0042" });
  const refused = await testConnection(bad);
  assert.equal(refused.state, "error");
  assert.match(refused.text, /refused the token \(401\): it is invalid or expired/);
  assert.match(refused.text, /CATALOG_UNAUTHORIZED/);
  const unreachable = await addIntegration(page, { name: "Nowhere", url: "https://tenant.invalid", token: "some-token" });
  const nowhere = await testConnection(unreachable);
  assert.equal(nowhere.state, "error");
  assert.match(nowhere.text, /^This server may not forward to that host: add it with steward-server --allow-host HOST/);
  // The tokens typed are in no text, attribute or field of the page (the sandbox's public admin
  // token is named in a hint, so only the secret one is looked for in the text).
  assert.ok(!(await page.content()).includes("wrong-but-secret-token-0042"));
  assert.equal(await page.evaluate(() => [...document.querySelectorAll("input, textarea")].filter((i) => /sandbox-admin-token|wrong-but-secret/.test(i.value)).length), 0);
  assert.equal(await page.locator("input[type=password]").count(), 0, "the form closed and took the token with it");
  await screenshot("integrations-test-connection.png", page.locator("#integrations"));
  assert.deepEqual(unexpected(problems, /status of 401/, /status of 40[34]|status of 5\d\d/), []);
});

test("a token is stored only when Remember on this device is ticked; a reload forgets the others", async () => {
  const server = await sandbox();
  const { page, problems } = await open(server);
  await addIntegration(page, { name: "Remembered", url: server.url, token: "sandbox-admin-token", remember: true });
  await addIntegration(page, { name: "Tab only", url: server.url, token: "sandbox-guest-token" });
  const stored = await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("steward");
        open.onsuccess = () => {
          const all = open.result.transaction("integrations").objectStore("integrations").getAll();
          all.onsuccess = () => resolve(all.result);
          all.onerror = () => reject(all.error);
        };
      }),
  );
  assert.deepEqual(stored.map((r) => [r.name, r.token ?? null]).sort(), [["Remembered", "sandbox-admin-token"], ["Tab only", null]]);
  assert.equal(await page.evaluate(() => localStorage.length + sessionStorage.length), 0);
  await page.reload();
  await page.locator('#engine-status[data-state="ok"]').waitFor();
  assert.match(await page.locator('li.card[data-name="Tab only"]').textContent(), /no token — edit to add one/);
  const remembered = await testConnection(page.locator('li.card[data-name="Remembered"]'));
  assert.equal(remembered.state, "ok", remembered.text);

  // Edit: rename and give the forgotten one its token back; then delete it.
  await page.locator('li.card[data-name="Tab only"]').getByRole("button", { name: "Edit" }).click();
  const form = page.getByRole("form", { name: "Edit Tab only" });
  await form.getByLabel("Name").fill("Guest catalog");
  await form.getByLabel("Token (leave empty to keep it)").fill("sandbox-guest-token");
  await form.getByRole("button", { name: "Save integration" }).click();
  const guest = await testConnection(page.locator('li.card[data-name="Guest catalog"]'));
  assert.match(guest.text, /Connected as sandbox-guest \(\$guest/);
  page.once("dialog", (dialog) => dialog.accept());
  await page.locator('li.card[data-name="Guest catalog"]').getByRole("button", { name: "Delete Guest catalog" }).click();
  await page.locator('li.card[data-name="Guest catalog"]').waitFor({ state: "detached" });
  assert.deepEqual(unexpected(problems), []);
});

test("push, pull and both: progress, summary and a filterable, sortable log; a rerun writes nothing", async () => {
  const server = await sandbox();
  const { page, problems } = await open(server);
  const dry = await runSync(page, { mode: "push", dryRun: true });
  assert.match(dry, /Dry run: nothing was written/);
  assert.equal(await summaryValue(page, "Metadata written"), 0);

  const pushed = await runSync(page, { mode: "push" });
  assert.match(pushed, /Pushed metadata\. 0 errors/);
  assert.ok((await summaryValue(page, "Metadata written")) > 1000);
  assert.ok((await summaryValue(page, "Announcements set")) > 0);
  assert.equal(await page.locator("#sync progress").evaluate((p) => p.value === p.max && p.max > 1), true);
  assert.match(await page.locator("#sync-progress-label").textContent(), /^Finished in/);

  const pulled = await runSync(page, { mode: "pull" });
  assert.match(pulled, /Pulled tags\. 0 errors/);
  assert.ok((await summaryValue(page, "Tags added")) > 100);

  // The log: filter by action and result, sort by asset.
  const log = page.locator("#sync");
  await log.getByLabel("Action").selectOption("tags");
  await log.getByLabel("Result").selectOption("updated");
  const rows = page.locator("#sync .paged-table tbody tr");
  assert.ok((await rows.count()) > 10);
  assert.equal(await rows.first().locator("td").nth(1).textContent(), "tags");
  await log.getByLabel("Filter sync log").fill("SALES_DB.SALES.CUSTOMERS");
  await log.getByRole("button", { name: /^Asset/ }).click();
  assert.equal(await log.getByRole("columnheader", { name: /^Asset/ }).getAttribute("aria-sort"), "ascending");
  assert.match(await rows.first().locator("td").first().textContent(), /^SALES_DB\.SALES\.CUSTOMERS/);
  await screenshot("sync-log.png", page.locator("#sync"));

  const again = await runSync(page, { mode: "both" });
  assert.match(again, /0 errors/);
  assert.equal(await summaryValue(page, "Metadata written"), 0);
  assert.equal(await summaryValue(page, "Tags added"), 0);
  assert.match(await page.locator("#sync-summary").textContent(), /0 writes/);
  assert.deepEqual(unexpected(problems, PREFLIGHT_404), []);
});

test("the pulled external tags appear under their assets and survive a reload", async () => {
  const server = await sandbox();
  const { page, problems } = await open(server);
  await runSync(page, { mode: "pull" });
  const assets = page.locator("#sync-assets");
  await assets.getByText("SALES_DB.SALES", { exact: true }).click();
  const customers = assets.locator('li[data-asset="SALES_DB.SALES.CUSTOMERS"]');
  await customers.waitFor();
  assert.ok((await customers.locator(".tag.external").count()) > 0, "CUSTOMERS has external tags");
  assert.ok((await customers.locator(".tag.external", { hasText: "PII" }).count()) > 0, "its PII columns carry the catalog's PII tag");
  await screenshot("sync-external-tags.png", page.locator("#sync"));
  await page.reload();
  await page.locator('#engine-status[data-state="ok"]').waitFor();
  await page.locator("#sync-assets").getByText("SALES_DB.SALES", { exact: true }).click();
  await page.locator('#sync-assets li[data-asset="SALES_DB.SALES.CUSTOMERS"] .tag.external').first().waitFor({ timeout: 5_000 });
  assert.deepEqual(unexpected(problems, PREFLIGHT_404), []);
});

test("a token that lacks access: the preflight stops the run, and the setup assistant fixes it", async () => {
  const server = await sandbox();
  const { page, problems } = await open(server);
  await addIntegration(page, { name: "Unconfigured", url: server.url, token: "sandbox-unconfigured-token" });
  await page.locator("#sync").getByLabel("Catalog integration").selectOption({ label: "Unconfigured" });
  const status = await runSync(page, { mode: "both" });
  assert.match(status, /Preflight: service-account-apikey-unconfigured is blocked/);
  assert.equal(await summaryValue(page, "Mapped").catch(() => -1), -1, "no sync ran");
  const assistant = page.locator("#sync-preflight");
  await assistant.getByLabel("Admin token").fill("sandbox-admin-token");
  await assistant.getByRole("button", { name: "Run setup assistant" }).click();
  await page.locator('#sync-setup-status[data-state="ok"]').waitFor({ timeout: 30_000 });
  assert.match(await page.locator("#sync-setup-status").textContent(), /user: (created|updated)/);
  await screenshot("sync-setup-assistant.png", page.locator("#sync"));
  await page.locator("#sync").getByRole("button", { name: "Run preflight" }).click();
  await page.locator('#sync-status[data-state="ok"]').waitFor({ timeout: 30_000 });
  assert.match(await page.locator("#sync-status").textContent(), /Preflight ok/);
  assert.deepEqual(await page.evaluate(() => [...document.querySelectorAll("input")].filter((i) => i.value.includes("sandbox-admin-token")).length), 0);
  assert.deepEqual(unexpected(problems, PREFLIGHT_404, /status of 403/), []);
});

test("Cancel stops a large sync; a rerun completes it, and the 50,000-row log still pages, filters and sorts", async () => {
  const server = await sandbox(["--demo-scale", "2500"], { startupMs: 60_000 });
  const { page, problems } = await open(server);
  const sync = page.locator("#sync");
  await sync.getByLabel("Pull tags and push metadata").check();
  await sync.getByRole("button", { name: "Start sync" }).click();
  await page.waitForFunction(() => /^Pushing metadata: [1-9]/.test(document.querySelector("#sync-progress-label")?.textContent ?? ""), null, { timeout: 120_000 });
  await sync.getByRole("button", { name: "Cancel" }).click();
  await page.waitForFunction(() => document.querySelector("#sync-progress-label")?.textContent === "Cancelled.", null, { timeout: 60_000 });
  assert.match(await page.locator("#sync-status").textContent(), /^Cancelled/);
  await screenshot("sync-cancelled.png", page.locator("#sync"));

  const status = await runSync(page, { mode: "both", timeout: 300_000 });
  assert.match(status, /0 errors/);
  const info = await sync.locator(".pager [role=status]").textContent();
  const total = Number(/of ([\d,]+)/.exec(info)[1].replaceAll(",", ""));
  assert.ok(total >= 50_000, info);
  await sync.getByLabel("Result").selectOption("unchanged");
  await sync.getByRole("button", { name: /^Message/ }).click();
  await sync.getByRole("button", { name: "Next page" }).click();
  assert.match(await sync.locator(".pager [role=status]").textContent(), /^Rows 101–200 of [\d,]+ \(filtered from/);
  await screenshot("sync-large-log.png", page.locator("#sync"));
  assert.deepEqual(unexpected(problems, PREFLIGHT_404), []);
});
