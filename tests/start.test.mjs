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
      await page.locator('#ping-result[data-state="ok"]').waitFor({ timeout: 15_000 });
      assert.equal(await page.locator("#mask-result").textContent(), "0000 Xxxxxx Xxxx");
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
  } finally {
    stop();
  }
});
