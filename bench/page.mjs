// The settings page's figures (issue 16): first render from the local server, and the log
// table with 50,000 rows (set, filter, sort, page) — in headless Chromium against the release
// server. Usage: node bench/page.mjs [--runs N]
import { parseArgs } from "node:util";
import path from "node:path";
import { repoRoot, startServer } from "../tests/helpers/server.mjs";
import { launchChromium } from "../tests/helpers/browser.mjs";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const runs = Number(values.runs);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await startServer(["--sandbox"], { bin: path.join(repoRoot, "target/release/steward-server") });
const browser = await launchChromium();
try {
  // First render: navigation start → every area mounted (app.js marks "steward:ready").
  const firstRender = [];
  for (let i = 0; i < runs; i++) {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => performance.getEntriesByName("steward:ready").length > 0, null, { timeout: 30_000 });
    firstRender.push(await page.evaluate(() => performance.getEntriesByName("steward:ready")[0].startTime));
    await page.close();
  }
  console.log(`first render (navigation → all five areas mounted), median of ${runs}: ${median(firstRender).toFixed(0)} ms (runs: ${firstRender.map((t) => t.toFixed(0)).join(", ")})`);

  // The log table at 50,000 rows: the page's own PagedTable, rows shaped like a sync log.
  const page = await browser.context.newPage();
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => performance.getEntriesByName("steward:ready").length > 0);
  const figures = await page.evaluate(async (runs) => {
    const { PagedTable } = await import("/js/ui.js");
    const results = ["mapped", "unchanged", "written", "set", "error"];
    const rows = Array.from({ length: 50_000 }, (_, i) => ({
      asset: `SALES_DB.SCHEMA_${i % 40}.TABLE_${i % 2500}.COLUMN_${i}`,
      action: ["map", "tags", "metadata", "announcement"][i % 4],
      result: results[i % 5],
      message: `message ${i} about default/snowflake/1700000000/SALES_DB/SCHEMA_${i % 40}`,
    }));
    const table = new PagedTable({
      caption: "Bench log",
      columns: [{ key: "asset", label: "Asset" }, { key: "action", label: "Action" }, { key: "result", label: "Result" }, { key: "message", label: "Message" }],
      filters: [{ key: "result", label: "Result", options: results }],
    });
    document.body.append(table.el);
    const time = (fn) => {
      const t0 = performance.now();
      fn();
      return performance.now() - t0;
    };
    const out = { setRows: [], filterText: [], sort: [], nextPage: [] };
    for (let i = 0; i < runs; i++) {
      table.search.value = "";
      table.sort = null;
      out.setRows.push(time(() => table.setRows(rows)));
      table.search.value = "TABLE_17";
      out.filterText.push(time(() => table.refresh()));
      table.search.value = "";
      out.sort.push(time(() => table.sortBy("asset")));
      out.nextPage.push(time(() => table.go(table.page + 1)));
    }
    return out;
  }, runs);
  for (const [name, times] of Object.entries(figures)) console.log(`log table, 50,000 rows, ${name}: median ${median(times).toFixed(1)} ms`);
} finally {
  await browser.close();
  await server.stop();
}
