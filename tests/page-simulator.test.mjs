// The access simulator of the settings page in real headless Chromium, against the sandbox's
// live access config (served by steward-server --sandbox): one test per outcome of SPEC §2 the
// demo reaches, the users × actions matrix, a pasted config (good and bad) and the import from
// the catalog's own Persona / Purpose / AuthPolicy entities. Any console error, page error or
// failed request fails a test; every flow leaves a screenshot in tests/artifacts/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./helpers/server.mjs";
import { launchChromium, openPage, screenshot } from "./helpers/browser.mjs";

const SNOWFLAKE = "default/snowflake/1700000000";
let server;
let browser;

before(async () => {
  server = await startServer(["--sandbox"]);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Opens the page, waits for the simulator to use the sandbox's live config. */
async function open() {
  const { page, problems } = await openPage(browser.context, `${server.url}/`);
  await page.setViewportSize({ width: 1280, height: 900 });
  const sim = page.getByRole("region", { name: "Access simulator" });
  await sim.getByRole("status").filter({ hasText: "Using the sandbox's live config" }).waitFor({ timeout: 20_000 });
  // The example assets are read from the sandbox (their tags come from the catalog).
  await sim.getByLabel("Example asset").locator("option", { hasText: "FINANCE_DB.HR.EMPLOYEES.SSN" }).waitFor({ state: "attached" });
  return { page, problems, sim };
}


async function ask(sim, { user, example, action }) {
  await sim.getByLabel("User").selectOption(user);
  await sim.getByLabel("Example asset").selectOption({ label: example });
  await sim.getByLabel("Action").selectOption(action);
  await sim.getByRole("button", { name: "Decide" }).click();
  const decision = sim.locator("#simulator-decision");
  await decision.locator(".sim-verdict").waitFor();
  return decision;
}

/** The matched-policies table as rows of cell texts, after checking it has real headers. */
async function policiesTable(decision) {
  const table = decision.getByRole("table");
  assert.deepEqual(await table.locator("thead th[scope=col]").allTextContents(), ["Owner", "Owner name", "Policy", "Kind", "Effect", "Mask"]);
  return table.locator("tbody tr").evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
}

test("the connection admin is allowed by the connection-admin rule", async () => {
  const { page, problems, sim } = await open();
  const users = await sim.getByLabel("User").locator("option").allTextContents();
  assert.ok(users.includes("sandbox-analyst — member · analysts"), users.join(" | "));
  assert.ok(users.includes("sandbox-guest — guest · analysts"));
  const decision = await ask(sim, { user: "sandbox-admin", example: "Table · SALES_DB.SALES.CUSTOMERS", action: "update" });
  assert.equal(await decision.getAttribute("role"), "status");
  assert.equal(await decision.getAttribute("data-state"), "allowed");
  const text = await decision.textContent();
  assert.match(text, /✓ Allowed/);
  assert.match(text, /sandbox-admin may update on default\/snowflake\/1700000000\/SALES_DB\/SALES\/CUSTOMERS/);
  assert.match(text, /Reasonconnection-admin — the user is a connection admin/);
  assert.match(text, /Decided bythe connection admins of default\/snowflake\/1700000000/);
  await screenshot("simulator-decision.png", sim);
  await page.close();
  assert.deepEqual(problems, []);
});

test("an analyst's query on a Confidential HR table is denied by the purpose's deny policy", async () => {
  const { page, problems, sim } = await open();
  const decision = await ask(sim, { user: "sandbox-analyst", example: "Table · FINANCE_DB.HR.EMPLOYEES (Confidential)", action: "query" });
  assert.equal(await decision.getAttribute("data-state"), "denied");
  const text = await decision.textContent();
  assert.match(text, /✗ Denied/);
  assert.match(text, /Reasondeny-policy — an explicit deny policy applies/);
  assert.match(text, /Decided bypurpose “Confidential data” · policy “Hide confidential data”/);
  assert.deepEqual(await policiesTable(decision), [["purpose", "Confidential data", "Hide confidential data", "data", "deny", "—"]]);
  await screenshot("simulator-deny.png", sim);
  await page.close();
  assert.deepEqual(problems, []);
});

test("an analyst's query on a PII column of SALES_DB is allowed with the REDACT mask", async () => {
  const { page, problems, sim } = await open();
  const decision = await ask(sim, { user: "sandbox-analyst", example: "Column · SALES_DB.SALES.CUSTOMERS.EMAIL (PII)", action: "query" });
  assert.equal(await sim.getByLabel("Qualified name").inputValue(), `${SNOWFLAKE}/SALES_DB/SALES/CUSTOMERS/EMAIL`);
  assert.equal(await sim.getByLabel("Type name").inputValue(), "Column");
  assert.equal(await sim.getByLabel("Tags").inputValue(), "PII");
  assert.equal(await decision.getAttribute("data-state"), "allowed");
  const text = await decision.textContent();
  assert.match(text, /Reasonpersona-grant/);
  assert.match(text, /Decided bypersona “Sales analysts” · policy “Query sales”/);
  assert.match(text, /MaskREDACT by purpose “PII protection” · policy “Mask PII”/);
  assert.deepEqual(await policiesTable(decision), [
    ["persona", "Sales analysts", "Query sales", "data", "allow", "—"],
    ["purpose", "PII protection", "Mask PII", "data", "mask", "REDACT"],
  ]);
  // The admin queries the same column in clear: the purpose applies to the analysts only.
  await sim.getByLabel("User").selectOption("sandbox-admin");
  await sim.getByRole("button", { name: "Decide" }).click();
  await decision.getByText("Mask", { exact: true }).waitFor();
  assert.match(await decision.textContent(), /Reasonconnection-admin.*Masknone: values in clear/);
  await page.close();
  assert.deepEqual(problems, []);
});

test("a guest is refused a write by the guest ceiling, even where a persona allows it", async () => {
  const { page, problems, sim } = await open();
  const decision = await ask(sim, { user: "sandbox-guest", example: "Table · SALES_DB.SALES.CUSTOMERS", action: "update" });
  assert.equal(await decision.getAttribute("data-state"), "denied");
  assert.match(await decision.textContent(), /Reasonguest-ceiling — a guest is never granted a write action/);
  // add-tags is in the guest's persona; the ceiling still refuses it. read is allowed.
  await sim.getByLabel("Action").selectOption("add-tags");
  await sim.getByRole("button", { name: "Decide" }).click();
  await decision.getByText("add-tags", { exact: true }).waitFor();
  assert.match(await decision.textContent(), /✗ Denied.*guest-ceiling/);
  await sim.getByLabel("Action").selectOption("read");
  await sim.getByRole("button", { name: "Decide" }).click();
  await decision.getByText("Browse sales", { exact: true }).first().waitFor();
  assert.match(await decision.textContent(), /✓ Allowed.*persona-grant.*“Sales analysts” · policy “Browse sales”/);
  await page.close();
  assert.deepEqual(problems, []);
});

test("the matrix shows every user against every action of the asset, with the reason in words", async () => {
  const { page, problems, sim } = await open();
  await sim.getByLabel("Example asset").selectOption({ label: "Table · FINANCE_DB.HR.EMPLOYEES (Confidential)" });
  // The action list follows the asset's family: a table takes metadata actions and query.
  assert.deepEqual(await sim.getByLabel("Action").locator("option").allTextContents(),
    ["read", "update", "update-custom-metadata", "add-tags", "remove-tags", "add-terms", "remove-terms", "create", "delete", "query"]);
  await sim.getByRole("button", { name: "Show matrix" }).click();
  const table = sim.locator("#simulator-matrix table");
  await table.waitFor();
  assert.equal(await table.locator("caption").textContent(), `Access matrix for Table ${SNOWFLAKE}/FINANCE_DB/HR/EMPLOYEES (tags: Confidential)`);
  const heads = await table.locator("thead th[scope=col]").allTextContents();
  assert.deepEqual(heads, ["User", "read", "update", "update-custom-metadata", "add-tags", "remove-tags", "add-terms", "remove-terms", "create", "delete", "query"]);
  const users = await table.locator("tbody th[scope=row]").evaluateAll((ths) => ths.map((th) => th.firstChild.textContent));
  assert.deepEqual(users, ["sandbox-admin", "service-account-apikey-integration", "sandbox-guest", "service-account-apikey-restricted", "service-account-apikey-unconfigured", "sandbox-analyst"]);
  const cell = (user, action) => table.locator(`td[data-user="${user}"][data-action="${action}"]`);
  assert.equal(await cell("sandbox-analyst", "query").textContent(), "✗ denydeny-policyHide confidential data");
  assert.equal(await cell("sandbox-admin", "update").textContent(), "✓ allowconnection-admin");
  assert.equal(await cell("sandbox-admin", "query").textContent(), "✓ allowconnection-admin");
  assert.equal(await cell("sandbox-guest", "update").textContent(), "✗ denyguest-ceiling");
  assert.equal(await cell("service-account-apikey-restricted", "read").textContent(), "✗ denydeny-policyNo HR metadata");
  assert.equal(await cell("service-account-apikey-integration", "read").textContent(), "✓ allowpersona-grantIntegration metadata access");
  assert.equal(await cell("service-account-apikey-unconfigured", "read").textContent(), "✗ denyimplicit-deny");
  const summary = sim.locator("#simulator-matrix-status");
  assert.equal(await summary.getAttribute("role"), "status");
  assert.match(await summary.textContent(), /^6 users × 10 actions on Table .*EMPLOYEES \(tags: Confidential\): \d+ allowed, \d+ denied\.$/);
  await screenshot("simulator-matrix.png", sim.locator("#simulator-matrix-area"));

  // The connection itself takes manage-policies too: only an admin who is a connection admin may.
  await sim.getByLabel("Example asset").selectOption({ label: `Connection · ${SNOWFLAKE}` });
  await sim.getByRole("button", { name: "Show matrix" }).click();
  await table.locator("thead th", { hasText: "manage-policies" }).waitFor();
  assert.equal(await cell("sandbox-admin", "manage-policies").textContent(), "✓ allowconnection-admin");
  assert.equal(await cell("sandbox-analyst", "manage-policies").textContent(), "✗ denynot-admin");
  await page.close();
  assert.deepEqual(problems, []);
});

test("a pasted config with a mistake is refused with the located error; a good one is used and shared", async () => {
  const { page, problems, sim } = await open();
  await sim.getByLabel("Paste a config").check();
  const area = sim.getByLabel("Access config (JSON)");
  // Switching to paste starts from the config in use, ready to edit.
  assert.match(await area.inputValue(), /"sandbox-analyst"/);
  const config = {
    users: [{ name: "ana", role: "member", groups: [] }],
    connections: [{ qualifiedName: SNOWFLAKE, name: "sf", connector: "snowflake" }],
    personas: [{ name: "Readers", users: ["ana"], policies: [
      { name: "read all", kind: "metadata", effect: "allow", actions: ["read", "reed"], resources: [`entity:${SNOWFLAKE}`] },
    ] }],
  };
  await area.fill(JSON.stringify(config, null, 2));
  await sim.getByRole("button", { name: "Load config" }).click();
  const status = sim.locator(".sim-config-status");
  await status.locator("xpath=self::*[@data-state='error']").waitFor();
  assert.equal(await status.getAttribute("role"), "status");
  const text = await status.textContent();
  assert.match(text, /INVALID_CONFIG/);
  assert.match(text, /personas\[0\]\.policies\[0\]\.actions\[1\]: unknown action "reed"/);
  await screenshot("simulator-invalid-config.png", sim.locator(".sim-config"));

  // Not JSON at all: the location is the line and column.
  await area.fill('{"users": [}');
  await sim.getByRole("button", { name: "Load config" }).click();
  await status.getByText(/line 1 column 12/).waitFor();

  // The refused configs changed nothing: the sandbox's config still decides.
  const decision = await ask(sim, { user: "sandbox-analyst", example: "Table · FINANCE_DB.HR.EMPLOYEES (Confidential)", action: "query" });
  assert.match(await decision.textContent(), /deny-policy/);

  // Fixed, it is used here and by the masked preview.
  config.personas[0].policies[0].actions = ["read"];
  await area.fill(JSON.stringify(config));
  await sim.getByRole("button", { name: "Load config" }).click();
  await status.getByText("Using the pasted config: 1 user, 1 connection, 1 persona, 0 purposes.").waitFor();
  assert.deepEqual(await sim.getByLabel("User").locator("option").allTextContents(), ["ana — member"]);
  const again = await ask(sim, { user: "ana", example: "Table · SALES_DB.SALES.CUSTOMERS", action: "read" });
  assert.match(await again.textContent(), /✓ Allowed.*persona-grant.*persona “Readers” · policy “read all”/);
  const preview = page.getByRole("region", { name: "Masked preview" });
  assert.deepEqual(await preview.getByLabel("Preview as user").locator("option").allTextContents(), ["ana — member"]);
  await page.close();
  assert.deepEqual(problems, []);
});

test("policies import from the catalog with an admin token; the integration token is told it needs one", async () => {
  const { page, problems, sim } = await open();
  await sim.getByLabel("Import from a catalog").check();
  assert.match(await sim.locator(".sim-panel[data-source=catalog]").textContent(), /sandbox-admin-token/);
  // The sandbox integration's token may not read personas, purposes or policies.
  await sim.getByLabel("Catalog integration").selectOption({ label: "Sandbox catalog" });
  await sim.getByRole("button", { name: "Import from catalog" }).click();
  const status = sim.locator(".sim-config-status");
  await status.locator("xpath=self::*[@data-state='warn']").waitFor();
  const refused = await status.textContent();
  assert.match(refused, /showed this token no Persona, Purpose or AuthPolicy: the catalog shows them to admins only/);
  assert.match(refused, /service-account-apikey-integration/);
  assert.match(refused, /sandbox-admin-token/);

  // An integration with the admin token, added in the Integrations area, imports them.
  await page.getByRole("button", { name: "Add integration" }).click();
  const form = page.getByRole("form", { name: "Add integration" });
  await form.getByLabel("Name").fill("Sandbox catalog (admin)");
  await form.getByLabel("Type").selectOption("catalog");
  await form.getByLabel("URL").fill(server.url);
  await form.getByLabel("Token").fill("sandbox-admin-token");
  await form.getByRole("button", { name: "Save integration" }).click();
  await sim.getByLabel("Catalog integration").locator("option", { hasText: "Sandbox catalog (admin)" }).waitFor({ state: "attached" });
  await sim.getByLabel("Catalog integration").selectOption({ label: "Sandbox catalog (admin)" });
  await sim.getByRole("button", { name: "Import from catalog" }).click();
  await status.getByText(/^Using the config imported from Sandbox catalog \(admin\)/).waitFor();
  // What could not be translated exactly is listed, not hidden.
  const issues = sim.locator(".sim-issues table");
  await issues.waitFor();
  assert.deepEqual(await issues.locator("th[scope=col]").allTextContents(), ["Location", "Kind", "Message"]);
  assert.match(await issues.textContent(), /assumed-role/);
  // The imported policies decide: the restricted token's HR deny came through.
  const decision = await ask(sim, { user: "service-account-apikey-restricted", example: "Table · FINANCE_DB.HR.EMPLOYEES (Confidential)", action: "read" });
  assert.match(await decision.textContent(), /✗ Denied.*deny-policy.*“No HR metadata”/);
  await screenshot("simulator-import.png", sim.locator(".sim-config"));
  await page.close();
  assert.deepEqual(problems, []);
});
