// The settings page in real headless Chromium, served by steward-server on the sandbox.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { repoRoot, startServer } from "./helpers/server.mjs";
import { launchChromium, openPage } from "./helpers/browser.mjs";

const artifacts = path.join(repoRoot, "tests/artifacts");
let server;
let browser;

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  server = await startServer(["--sandbox"]);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("the page shows a masked sample and reaches the sandbox catalog", async () => {
  const { page, problems } = await openPage(browser.context, `${server.url}/`);
  const masked = page.locator('#mask-result[data-state="ok"]');
  await masked.waitFor({ timeout: 15_000 });
  assert.equal(await masked.textContent(), "0000 Xxxxxx Xxxx");
  const ping = page.locator("#ping-result");
  await page.locator('#ping-result:not([data-state="loading"])').waitFor({ timeout: 15_000 });
  assert.equal(await ping.getAttribute("data-state"), "ok", await ping.textContent());
  assert.match(await ping.textContent(), /connected: 5 tag definitions/);
  await page.screenshot({ path: path.join(artifacts, "settings-page.png"), fullPage: true });
  assert.deepEqual(problems, []);
});

test("the page is served with a Content-Security-Policy that forbids inline script", async () => {
  const response = await fetch(`${server.url}/`);
  const csp = response.headers.get("content-security-policy");
  assert.ok(csp, "CSP header present");
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);
});
