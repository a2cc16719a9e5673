// `npm start` as a new user runs it: builds what is missing, serves the page on the sandbox.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { repoRoot } from "./helpers/server.mjs";
import { launchChromium, openPage } from "./helpers/browser.mjs";

test("npm start serves the settings page against the sandbox", { timeout: 600_000 }, async () => {
  // PORT=0 lets the server pick a free port; it logs the URL it listens on.
  const child = spawn("npm", ["start", "--silent"], {
    cwd: repoRoot,
    env: { ...process.env, PORT: "0" },
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
  });
  const stop = () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  };
  try {
    const url = await new Promise((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`npm start exited with ${code}`)));
      createInterface({ input: child.stdout }).on("line", (line) => {
        const match = /listening on (http:\/\/\S+?)\/? \(sandbox/.exec(line);
        if (match) resolve(match[1]);
      });
    });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/, "binds loopback by default");
    const browser = await launchChromium();
    try {
      const { page, problems } = await openPage(browser.context, `${url}/`);
      await page.locator('#engine-status[data-state="ok"]').waitFor({ timeout: 15_000 });
      assert.match(await page.locator("#engine-status").textContent(), /sandbox tenants on/);
      // The sandbox catalog is there from the start, and its test connection works.
      const card = page.locator('li.card[data-name="Sandbox catalog"]');
      await card.getByRole("button", { name: "Test connection" }).click();
      await card.locator('[role=status][data-state="ok"]').waitFor({ timeout: 15_000 });
      assert.match(await card.getByRole("status").textContent(), /^Connected as service-account-apikey-integration/);
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
  } finally {
    stop();
  }
});
