// Headless Debian Chromium through playwright-core (never a downloaded browser).
import { chromium } from "playwright-core";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { repoRoot } from "./server.mjs";

/** Where the page tests leave their screenshots. */
export const artifacts = path.join(repoRoot, "tests/artifacts");

/** Launches Chromium with a fresh profile; `close()` also removes the profile. */
export async function launchChromium() {
  const profile = mkdtempSync(path.join(tmpdir(), "steward-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens `url` in a new page that records every console error, page error and failed request;
 * `problems` must be empty at the end of a test.
 */
export async function openPage(context, url) {
  const page = await context.newPage();
  const problems = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("requestfailed", (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  await page.goto(url);
  return { page, problems };
}

/**
 * Saves `tests/artifacts/NAME`: the whole page, or the part from the top of locator `from` to
 * the bottom of `to` (default `from`), cut from a full-page capture taken at the top scroll
 * position so the sticky section bar never covers it.
 */
export async function screenshot(name, from, to = from) {
  mkdirSync(artifacts, { recursive: true });
  const file = path.join(artifacts, name);
  if (typeof from.page !== "function") return from.screenshot({ path: file, fullPage: true });
  const page = from.page();
  await page.evaluate(() => window.scrollTo(0, 0));
  const [top, bottom] = [await from.boundingBox(), await to.boundingBox()];
  const left = Math.min(top.x, bottom.x);
  const right = Math.max(top.x + top.width, bottom.x + bottom.width);
  const pad = 8;
  const clip = { x: Math.max(0, left - pad), y: Math.max(0, top.y - pad), width: right - left + 2 * pad, height: bottom.y + bottom.height - top.y + 2 * pad };
  return page.screenshot({ path: file, fullPage: true, clip });
}
