// The masked preview of the settings page in real headless Chromium, against the sandbox
// (steward-server --sandbox): a sandbox table as the analyst and as the admin sees it (the
// sandbox's live access config), masks set per column on pasted CSV with the warehouse SQL and
// its Copy button, a local file, and 100,000 rows masked in the worker while the page stays
// responsive. The page's values are checked against the package itself in Node. Any console
// error, page error or failed request fails a test; every flow leaves a screenshot.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startServer } from "./helpers/server.mjs";
import { launchChromium, openPage, screenshot } from "./helpers/browser.mjs";
import { mask, maskSql } from "../dist/node.js";

const SNOWFLAKE = "default/snowflake/1700000000";
const CUSTOMERS = `${SNOWFLAKE}/SALES_DB/SALES/CUSTOMERS`;
let server;
let browser;
let scratch;

before(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), "steward-preview-"));
  server = await startServer(["--sandbox"]);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Opens the page; waits for the first sample to load and the access config to arrive. */
async function open() {
  const { page, problems } = await openPage(browser.context, `${server.url}/`);
  await page.setViewportSize({ width: 1280, height: 900 });
  const pv = page.getByRole("region", { name: "Masked preview" });
  await pv.locator("#preview-data-status").getByText("Loaded SALES_DB.SALES.CUSTOMERS from the sandbox: 50 rows × 12 columns.").waitFor({ timeout: 20_000 });
  await pv.getByText("Access config: the sandbox's live config").waitFor();
  return { page, problems, pv };
}


/** Clicks Mask and waits for the result. */
async function runMask(pv) {
  await pv.getByRole("button", { name: "Mask", exact: true }).click();
  const status = pv.locator("#preview-status");
  await status.locator("xpath=self::*[@data-state='ok' or @data-state='error']").waitFor({ timeout: 60_000 });
  assert.equal(await status.getAttribute("data-state"), "ok", await status.textContent());
  return status.textContent();
}

/** A table as {heads: [[texts of th's parts]], rows: [[cell texts]]} (cells shown on this page). */
function readTable(table) {
  return table.evaluate((t) => ({
    heads: [...t.tHead.rows[0].cells].map((th) => (th.children.length ? [...th.children].map((c) => c.textContent) : [th.textContent])),
    scopes: [...t.tHead.rows[0].cells].map((th) => th.tagName + ":" + th.scope),
    rows: [...t.tBodies[0].rows].map((r) => [...r.cells].map((c) => c.textContent)),
    nullCells: [...t.tBodies[0].querySelectorAll("td.null")].length,
  }));
}

test("the analyst sees a sandbox table's PII columns redacted; the admin sees them in clear", async () => {
  const { page, problems, pv } = await open();
  assert.equal(await pv.getByLabel("Sandbox table").inputValue(), CUSTOMERS);
  assert.equal(await pv.getByLabel("From a user's access").isChecked(), true);
  assert.match(await pv.locator(".pv-privacy").textContent(), /^Nothing is uploaded\./);
  await pv.getByLabel("Preview as user").selectOption("sandbox-analyst");
  const done = await runMask(pv);
  assert.match(done, /^Masked 50 rows × 12 columns for sandbox-analyst in \d+ ms; 6 columns masked; 6 in clear\.$/);
  assert.equal(await pv.locator("#preview-masked-heading").textContent(), "Masked for sandbox-analyst");

  const original = await readTable(pv.locator("table#preview-original"));
  const masked = await readTable(pv.locator("table#preview-masked"));
  assert.ok(original.scopes.every((s) => s === "TH:col") && masked.scopes.every((s) => s === "TH:col"));
  const names = original.heads.map((h) => h[0]);
  assert.deepEqual(names.slice(0, 5), ["#", "CUSTOMER_ID", "FIRST_NAME", "LAST_NAME", "EMAIL"]);
  assert.deepEqual(original.heads[2], ["FIRST_NAME", "PII"], "the original header shows the column's tags");
  assert.deepEqual(masked.heads[1], ["CUSTOMER_ID", "clear", "persona-grant"]);
  assert.deepEqual(masked.heads[2], ["FIRST_NAME", "REDACT", "persona-grant; masked by purpose “PII protection” · Mask PII"]);
  assert.equal(original.rows.length, 25);
  // Every cell of the page is the package's own mask of the original (null stays null).
  const pii = new Set(["FIRST_NAME", "LAST_NAME", "EMAIL", "PHONE", "ADDRESS", "DATE_OF_BIRTH"]);
  let redacted = 0;
  for (const [r, row] of original.rows.entries()) {
    for (let c = 1; c < row.length; c++) {
      const value = row[c];
      const isNull = value === "null";
      const expected = pii.has(names[c]) && !isNull ? mask(value, "REDACT") : value;
      assert.equal(masked.rows[r][c], expected, `row ${r + 1} ${names[c]}`);
      if (pii.has(names[c]) && !isNull) redacted += 1;
    }
  }
  assert.ok(redacted > 100);
  // The same masks as PostgreSQL.
  const sql = await pv.locator("#preview-sql").textContent();
  assert.ok(sql.includes(`${maskSql("REDACT", "FIRST_NAME", "postgres")} AS "FIRST_NAME"`), sql);
  assert.match(sql, /^-- PostgreSQL: what sandbox-analyst may see of SALES_DB\.SALES\.CUSTOMERS\.\nSELECT\n  "CUSTOMER_ID",\n/);
  assert.match(sql, /\nFROM "SALES_DB"\."SALES"\."CUSTOMERS";$/);
  await screenshot("preview-analyst.png", pv.locator("#preview-results"));

  // The admin (connection admin; the PII purpose is for the analysts) sees every value in clear.
  await pv.getByLabel("Preview as user").selectOption("sandbox-admin");
  assert.match(await runMask(pv), /for sandbox-admin .*; 0 columns masked; 12 in clear\.$/);
  const clear = await readTable(pv.locator("table#preview-masked"));
  assert.deepEqual(clear.rows, original.rows);
  assert.deepEqual(clear.heads[2], ["FIRST_NAME", "clear", "connection-admin"]);
  assert.doesNotMatch(await pv.locator("#preview-sql").textContent(), /regexp_replace/);
  await screenshot("preview-admin.png", pv.locator("#preview-results"));

  // A Confidential HR table: the analyst may query no column at all (no masked data either).
  await pv.getByLabel("Preview as user").selectOption("sandbox-analyst");
  await pv.getByLabel("Sandbox table").selectOption(`${SNOWFLAKE}/FINANCE_DB/HR/EMPLOYEES`);
  await pv.locator("#preview-data-status").getByText("Loaded FINANCE_DB.HR.EMPLOYEES").waitFor();
  assert.equal(await pv.getByLabel("Table tags").inputValue(), "Confidential");
  assert.match(await runMask(pv), /; 0 columns masked; 0 in clear; 10 with no access\.$/);
  const hr = await readTable(pv.locator("table#preview-masked"));
  assert.deepEqual(hr.heads[1], ["EMPLOYEE_ID", "no access", "deny-policy: purpose “Confidential data” · Hide confidential data"]);
  assert.equal(hr.nullCells, 25 * 10);
  assert.match(await pv.locator("#preview-sql").textContent(), /-- This user may not query any column of this table\.$/);
  await page.close();
  assert.deepEqual(problems, []);
});

const CSV = 'name,email,card,note\r\nAda Lovelace,ada@example.com,4111 1111 1111 1111,"says ""hi"", twice"\r\nZoë Müller,,5500 0000 0000 0004,"two\nlines"\r\n';

test("masks set per column on pasted CSV, with the SQL for PostgreSQL and a Copy button", async () => {
  const { page, problems, pv } = await open();
  await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
  await pv.getByLabel("Pasted CSV").check();
  // A malformed CSV is refused with the package's located error.
  await pv.getByLabel("CSV text").fill("a,b\n1,2,3\n");
  await pv.getByRole("button", { name: "Load CSV" }).click();
  const dataStatus = pv.locator("#preview-data-status");
  await dataStatus.locator("xpath=self::*[@data-state='error']").waitFor();
  assert.match(await dataStatus.textContent(), /row 1 \(line 2\): expected 2 fields, found 3 \(INVALID_CSV\)/);

  await pv.getByLabel("CSV text").fill(CSV);
  await pv.getByLabel("Set per column").check();
  await pv.getByRole("button", { name: "Load CSV" }).click();
  await dataStatus.getByText("Read the pasted CSV in this browser: 2 rows × 4 columns.").waitFor();
  await pv.getByLabel("name mask").selectOption("REDACT");
  await pv.getByLabel("email mask").selectOption("HASH");
  await pv.getByLabel("card mask").selectOption("SHOW_LAST_4");
  await pv.getByLabel("note mask").selectOption("SHOW_FIRST_4");
  assert.match(await runMask(pv), /^Masked 2 rows × 4 columns in \d+ ms; 4 columns masked; 0 in clear\.$/);

  const original = await readTable(pv.locator("table#preview-original"));
  assert.deepEqual(original.rows, [
    ["1", "Ada Lovelace", "ada@example.com", "4111 1111 1111 1111", 'says "hi", twice'],
    ["2", "Zoë Müller", "null", "5500 0000 0000 0004", "two\nlines"],
  ]);
  const masked = await readTable(pv.locator("table#preview-masked"));
  assert.deepEqual(masked.heads.slice(1), [["name", "REDACT", "set per column"], ["email", "HASH", "set per column"], ["card", "SHOW_LAST_4", "set per column"], ["note", "SHOW_FIRST_4", "set per column"]]);
  assert.deepEqual(masked.rows, [
    ["1", mask("Ada Lovelace", "REDACT"), mask("ada@example.com", "HASH"), mask("4111 1111 1111 1111", "SHOW_LAST_4"), mask('says "hi", twice', "SHOW_FIRST_4")],
    ["2", mask("Zoë Müller", "REDACT"), "null", mask("5500 0000 0000 0004", "SHOW_LAST_4"), mask("two\nlines", "SHOW_FIRST_4")],
  ]);
  assert.equal(masked.rows[0][1], "Xxx Xxxxxxxx");

  await pv.getByLabel("Warehouse").selectOption({ label: "PostgreSQL" });
  const expected = [
    "-- PostgreSQL: the masks set per column on the pasted CSV.",
    "SELECT",
    `  ${maskSql("REDACT", "name", "postgres")} AS "name",`,
    `  ${maskSql("HASH", "email", "postgres")} AS "email",`,
    `  ${maskSql("SHOW_LAST_4", "card", "postgres")} AS "card",`,
    `  ${maskSql("SHOW_FIRST_4", "note", "postgres")} AS "note"`,
    'FROM "pasted_data";',
  ].join("\n");
  assert.equal(await pv.locator("pre#preview-sql").textContent(), expected);
  await pv.getByRole("button", { name: "Copy" }).click();
  await pv.getByRole("status").filter({ hasText: "Copied to the clipboard." }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), expected);
  // Another warehouse: the same masks in its own syntax.
  await pv.getByLabel("Warehouse").selectOption({ label: "Databricks" });
  assert.ok((await pv.locator("pre#preview-sql").textContent()).includes(`${maskSql("HASH", "email", "databricks")} AS \`email\``));
  await pv.getByLabel("Warehouse").selectOption({ label: "PostgreSQL" });
  await screenshot("preview-columns.png", pv);
  await page.close();
  assert.deepEqual(problems, []);
});

test("a local CSV file is read in the browser and masked", async () => {
  const { page, problems, pv } = await open();
  await pv.getByLabel("Local file").check();
  await pv.getByLabel("Set per column").check();
  await pv.getByLabel("CSV file").setInputFiles({ name: "cards.csv", mimeType: "text/csv", buffer: Buffer.from("\ufeffholder,number\nAna García,4111 1111 1111 1111\nJohn Smith,\n") });
  await pv.locator("#preview-data-status").getByText("Read cards.csv in this browser: 2 rows × 2 columns.").waitFor();
  await pv.getByLabel("number mask").selectOption("SHOW_LAST_4");
  await pv.getByLabel("holder mask").selectOption("NULLIFY");
  assert.match(await runMask(pv), /^Masked 2 rows × 2 columns/);
  const masked = await readTable(pv.locator("table#preview-masked"));
  assert.deepEqual(masked.rows, [["1", "null", "XXXXXXXXXXXXXXX1111"], ["2", "null", "null"]]);
  const sql = await pv.locator("pre#preview-sql").textContent();
  assert.match(sql, /the masks set per column on cards\.csv\.\nSELECT\n  CAST\(NULL AS TEXT\) AS "holder",\n/);
  assert.match(sql, /\nFROM "cards";$/);
  await screenshot("preview-upload.png", pv);
  await page.close();
  assert.deepEqual(problems, []);
});

test("100,000 rows are masked in the worker while the page stays responsive", async () => {
  const { page, problems, pv } = await open();
  const rows = 100_000;
  const pad = (n, width) => String(n).padStart(width, "0");
  const lines = ["id,name,email,phone,card,city,note,ssn,iban,address,company,comment"];
  for (let i = 0; i < rows; i++) {
    lines.push([i + 1, `Person ${i}`, `person${i}@example.com`, `+1 415-555-${pad(i % 10_000, 4)}`, `4111 1111 1111 ${pad(i % 10_000, 4)}`, "Zürich",
      `"note, ""${i}"""`, `9${pad(i, 8)}`, `DE${pad(i % 100, 2)} 3704 0044 0532 ${pad(i % 10_000, 4)} 00`, `"${i} Königstraße, München"`,
      `Acme ${i % 50} GmbH`, `Called twice — prefers email 📧 ${i}`].join(","));
  }
  const file = path.join(scratch, "people-100k.csv");
  writeFileSync(file, `${lines.join("\r\n")}\r\n`);
  await pv.getByLabel("Local file").check();
  await pv.getByLabel("Set per column").check();
  await pv.getByLabel("CSV file").setInputFiles(file);
  await pv.locator("#preview-data-status").getByText("Read people-100k.csv in this browser: 100,000 rows × 12 columns.").waitFor({ timeout: 60_000 });
  assert.equal(await pv.locator("#preview-pager").textContent(), "Rows 1–25 of 100,000");
  const masks = { name: "REDACT", email: "HASH", phone: "HASH", card: "SHOW_LAST_4", city: "REDACT", note: "SHOW_FIRST_4", ssn: "HASH", iban: "HASH",
    address: "REDACT", company: "HASH", comment: "REDACT" };
  for (const [column, m] of Object.entries(masks)) await pv.getByLabel(`${column} mask`).selectOption(m);

  // Watch the main thread while the worker masks: frame gaps, long tasks, and what the status
  // said when the "Next page" click was handled.
  await page.evaluate(() => {
    window.__probe = { gaps: [], longTasks: [], statusAtNext: null };
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__probe.longTasks.push(Math.round(entry.duration));
    }).observe({ type: "longtask" });
    document.querySelector("#preview").addEventListener("click", (event) => {
      if (event.target.textContent === "Next page") window.__probe.statusAtNext = document.querySelector("#preview-status").textContent;
    }, true);
  });
  const startProbe = () => page.evaluate(() => {
    Object.assign(window.__probe, { gaps: [], longTasks: [], statusAtNext: null });
    let last = performance.now();
    const frame = (now) => {
      window.__probe.gaps.push(now - last);
      last = now;
      if (!document.querySelector("#preview-status[data-state=ok]")) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  // Another control is handled while the masking runs: the next page of both tables. (On a
  // machine fast enough to finish before the click lands, the run is repeated, at most thrice.)
  let probe;
  for (let attempt = 1; attempt <= 3; attempt++) {
    if (attempt > 1) await pv.getByRole("button", { name: "First page" }).click();
    await startProbe();
    await pv.getByRole("button", { name: "Mask", exact: true }).click();
    await pv.getByRole("button", { name: "Next page" }).click();
    assert.equal(await pv.locator("#preview-pager").textContent(), "Rows 26–50 of 100,000");
    await pv.locator("#preview-status[data-state=ok]").waitFor({ timeout: 120_000 });
    probe = await page.evaluate(() => window.__probe);
    if (/^Masking…/.test(probe.statusAtNext ?? "")) break;
  }
  assert.match(probe.statusAtNext ?? "", /^Masking… [\d,]+ of 1,200,000 values$/, "the click landed while the worker was masking");
  const worstGap = Math.max(...probe.gaps);
  assert.ok(worstGap < 250, `the page kept drawing frames while masking (worst gap ${Math.round(worstGap)} ms; long tasks ${probe.longTasks.join(", ")})`);
  const status = await pv.locator("#preview-status").textContent();
  assert.match(status, /^Masked 100,000 rows × 12 columns in [\d,]+ ms; 11 columns masked; 1 in clear\.$/);

  // The page shown is page 2, masked by the package's rules; the last page too.
  const masked = await readTable(pv.locator("table#preview-masked"));
  assert.equal(masked.rows[0][0], "26");
  assert.deepEqual(masked.rows[0].slice(1), ["26", mask("Person 25", "REDACT"), mask("person25@example.com", "HASH"), mask("+1 415-555-0025", "HASH"),
    "XXXXXXXXXXXXXXX0025", mask("Zürich", "REDACT"), mask('note, "25"', "SHOW_FIRST_4"), mask("900000025", "HASH"),
    mask("DE25 3704 0044 0532 0025 00", "HASH"), mask("25 Königstraße, München", "REDACT"), mask("Acme 25 GmbH", "HASH"), mask("Called twice — prefers email 📧 25", "REDACT")]);
  await pv.getByRole("button", { name: "Last page" }).click();
  assert.equal(await pv.locator("#preview-pager").textContent(), "Rows 99,976–100,000 of 100,000");
  assert.equal(await pv.getByRole("button", { name: "Next page" }).isDisabled(), true);
  const last = await readTable(pv.locator("table#preview-masked"));
  assert.deepEqual(last.rows.at(-1).slice(0, 3), ["100,000", "100000", mask("Person 99999", "REDACT")]);
  await screenshot("preview-100k.png", pv);

  // A run can be cancelled: the worker stops between chunks and nothing half-masked is shown.
  // (Both clicks in one task, so the cancel surely lands while the worker is on the first column.)
  await pv.getByLabel("email mask").selectOption("SHOW_FIRST_4");
  await pv.evaluate((section) => {
    const button = (name) => [...section.querySelectorAll("button")].find((b) => b.textContent === name);
    button("Mask").click();
    button("Cancel").click();
  });
  await pv.locator("#preview-status").getByText("Masking cancelled.").waitFor();
  assert.equal(await pv.locator("table#preview-masked tbody").textContent(), "Press Mask to see the masked rows.");
  await page.close();
  assert.deepEqual(problems, []);
});
