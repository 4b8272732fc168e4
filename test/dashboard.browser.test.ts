// The dashboard in a real browser (Debian Chromium, headless) against a running pipeline fed by the
// simulator: every page opens at desktop and phone width with no console errors, the figures it shows
// match the API or SQL over the lake, "Run store planning" shows its report and the queue depth moves,
// and the SQL console runs, pages and charts a query. Screenshots land in test-artifacts/.
// One server and one browser serve every check (subtests), to keep the suite quick on two cores.
import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import type { Browser, Page } from "playwright-core";
import { chromium } from "../src/test-support/backends.js";
import { buildDashboard, launchBrowser, screenshot, watchConsole } from "../src/test-support/browser.js";
import { startTestServer, waitFor, type TestServer } from "../src/test-support/server.js";
import { generateCatalog, generateEvents } from "../src/simulator/index.js";

const { skip } = chromium();
const PAGES = ["sales", "inventory", "trucks", "customers", "fraud", "pipeline", "sql"] as const;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 800 };

const digits = (text: string | null | undefined): string => (text ?? "").replace(/[^\d-]/g, "");

async function api<T>(server: TestServer, path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(`${server.url}${path}`, init);
  assert.ok(response.ok, `${path}: HTTP ${response.status} ${await response.clone().text()}`);
  return (await response.json()) as T;
}

async function post(server: TestServer, events: object[]): Promise<void> {
  const response = await fetch(`${server.url}/v1/events`, { method: "POST", body: events.map((e) => JSON.stringify(e)).join("\n") });
  assert.equal(response.status, 200, await response.text());
}

/** Opens a page of the dashboard and waits for its first refresh. */
async function open(browser: Browser, server: TestServer, id: string, viewport = DESKTOP): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(10_000);
  const errors = watchConsole(page);
  await page.goto(`${server.url}/#/${id}`);
  await page.locator(`.page[data-page="${id}"][data-loaded="true"]`).waitFor({ timeout: 20_000 });
  return { page, errors };
}

async function kpiText(page: Page, kpi: string): Promise<string> {
  return digits(await page.locator(`[data-kpi="${kpi}"]`).textContent());
}

/** Runs `check` on a page, saves its screenshot, and asserts no console errors; closes the page. */
async function onPage(t: TestContext, browser: Browser, server: TestServer, id: string, name: string, check: (page: Page) => Promise<void>): Promise<void> {
  const { page, errors } = await open(browser, server, id);
  try {
    await check(page);
  } finally {
    await screenshot(page, `dashboard-${name}`);
    await page.close();
  }
  assert.deepEqual(errors, [], `${t.name}: console errors`);
}

describe("dashboard", { skip, timeout: 180_000 }, () => {
  it("works against a running pipeline fed by the simulator", async (t) => {
    buildDashboard();
    const server = await startTestServer(t);
    // The dispatcher would take planning's messages off the queue as they arrive; stopped, the queue
    // depth after a planning run is exactly what the run sent.
    await server.pipeline.dispatcher.stop();
    const browser = await launchBrowser();
    t.after(() => browser.close());

    const events = generateEvents({ seed: 21 }, 2500);
    // A few stock reports far below the reorder point, so that store planning has needs to send.
    const catalog = generateCatalog(server.pipeline.config.simulator.catalogSeed);
    const lowStock = catalog.stores.slice(0, 3).map((store, i) => {
      const stock = store.inventory[0]!;
      return {
        event_id: `dashboard-test-low-${i}`,
        type: "inventory_snapshot",
        occurred_at: new Date(Date.now() - 60_000).toISOString(),
        payload: { store_id: store.store_id, product_id: stock.product_id, on_hand: 0, reorder_point: stock.reorder_point, target_level: stock.target_level },
      };
    });
    await post(server, [...events, ...lowStock]);
    const orders = events.filter((e) => e.type === "order_placed").length;
    const stats = () => api<{ ingest: { accepted: number }; store: { orders: number }; lag: Record<string, number> }>(server, "/v1/stats");
    await waitFor(async () => {
      const now = await stats();
      // The raw zone buffers for a minute; the functions and the curated lake are what the pages read.
      return now.store.orders === orders && Object.entries(now.lag).every(([consumer, lag]) => lag === 0 || consumer === "lake:raw");
    }, 30_000, "every event processed and delivered");
    const lakeOrders = async () => Number((await server.pipeline.analytics.query("SELECT count(*) FROM orders")).rows[0]?.[0] ?? 0);
    await waitFor(async () => (await lakeOrders()) === orders, 20_000, "the orders in the lake");

    await t.test("every page opens at 1280×800 and 390×800 with no console errors", async (t) => {
      for (const viewport of [DESKTOP, PHONE]) {
        for (const id of PAGES) {
          const { page, errors } = await open(browser, server, id, viewport);
          await page.waitForTimeout(300);
          await screenshot(page, `dashboard-${id}-${viewport.width}`);
          if (viewport === PHONE && id === "sales") {
            const link = page.locator('nav a[data-nav="sql"]');
            assert.equal(await link.isVisible(), false, "the nav collapses at phone width");
            await page.locator("#nav-toggle").click();
            assert.equal(await link.isVisible(), true, "the menu button opens it");
            await screenshot(page, "dashboard-nav-open-390");
          }
          await page.close();
          assert.deepEqual(errors, [], `${t.name}: ${id} at ${viewport.width}px`);
        }
      }
    });

    await t.test("live counters match /v1/stats and pages switch without reloads", async (t) => {
      await onPage(t, browser, server, "sales", "live", async (page) => {
        const expected = await stats();
        await waitFor(async () => digits(await page.locator('[data-stat="ingest.accepted"]').textContent()) === String(expected.ingest.accepted), 10_000, "the live counter");
        assert.equal(digits(await page.locator('[data-stat="store.orders"]').textContent()), String(expected.store.orders));
        await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
        await page.locator('nav a[data-nav="fraud"]').click();
        await page.locator('.page[data-page="fraud"][data-loaded="true"]').waitFor();
        assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, "no reload");
      });
    });

    await t.test("sales figures match the per-minute API and the lake's views", async (t) => {
      await onPage(t, browser, server, "sales", "sales-figures", async (page) => {
        const minute = await api<{ totals: { orders: number } }>(server, "/v1/kpis/minute");
        assert.equal(await kpiText(page, "minute.orders"), String(minute.totals.orders));
        const days = await api<{ columns: Array<{ name: string }>; rows: unknown[][] }>(server, "/v1/kpis/views/daily_sales?limit=10");
        const col = (name: string) => days.columns.findIndex((column) => column.name === name);
        const latest = days.rows[0]?.[col("dt")];
        const dayOrders = days.rows.filter((row) => row[col("dt")] === latest).reduce((sum, row) => sum + Number(row[col("orders")]), 0);
        const sqlOrders = Number((await server.pipeline.analytics.query(`SELECT count(*) FROM orders WHERE dt = DATE '${String(latest)}'`)).rows[0]?.[0]);
        assert.equal(dayOrders, sqlOrders);
        assert.equal(await kpiText(page, "day.orders"), String(dayOrders));
      });
    });

    await t.test("the fraud count matches /v1/fraud/summary, and the customers' segments match the API", async (t) => {
      await onPage(t, browser, server, "fraud", "fraud-figures", async (page) => {
        const summary = await api<{ alerts: number }>(server, "/v1/fraud/summary");
        assert.equal(await kpiText(page, "fraud.alerts"), String(summary.alerts));
        const { alerts } = await api<{ alerts: Array<{ alertId: string }> }>(server, "/v1/fraud/alerts?limit=50");
        assert.equal(await page.locator("tr[data-alert]").count(), alerts.length);
      });
      await api(server, "/v1/customers/rfm", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      await onPage(t, browser, server, "customers", "customers-figures", async (page) => {
        const { segments } = await api<{ segments: Array<{ segment: string; customers: number }> }>(server, "/v1/customers/segments");
        for (const segment of segments) {
          await waitFor(async () => digits(await page.locator(`tr[data-segment="${segment.segment}"] td:nth-child(2)`).textContent()) === String(segment.customers), 10_000, `segment ${segment.segment}`);
        }
      });
    });

    await t.test("the SQL console runs a query, pages its result, charts it and saves it", async (t) => {
      await onPage(t, browser, server, "sql", "sql-console", async (page) => {
        const sql = "SELECT product_id, count(*) AS views FROM events WHERE type = 'product_view' GROUP BY product_id ORDER BY views DESC, product_id LIMIT 60";
        await page.locator("#sql-editor").fill(sql);
        await page.locator("#sql-run").click();
        await page.locator('#sql-state[data-state="SUCCEEDED"]').waitFor({ timeout: 20_000 });
        const expected = (await server.pipeline.analytics.query(sql)).rows;
        const rows = expected.length;
        assert.ok(rows > 50, "enough rows for three pages");
        assert.equal(await page.locator("#sql-range").textContent(), `rows 1–${Math.min(25, rows)} of ${rows}`);
        assert.equal(await page.locator("#sql-table tbody tr:first-child td:first-child").textContent(), String(expected[0]?.[0]));
        assert.ok(await page.locator("#sql-result canvas").first().isVisible(), "a quick chart of the result");
        await page.locator("#sql-next").click();
        await waitFor(async () => (await page.locator("#sql-range").textContent()) === `rows 26–50 of ${rows}`, 10_000, "the second page");
        assert.equal(await page.locator("#sql-table tbody tr:first-child td:first-child").textContent(), String(expected[25]?.[0]));
        await page.locator("#sql-prev").click();
        await waitFor(async () => (await page.locator("#sql-range").textContent())?.startsWith("rows 1–") === true, 10_000, "back to the first page");
        await page.locator("#sql-chart-kind").selectOption("line");
        await page.locator("#sql-name").fill("product views");
        await page.locator("#sql-save").click();
        await page.locator('[data-named-query="product views"]').waitFor({ timeout: 10_000 });
        const { namedQueries } = await api<{ namedQueries: Array<{ name: string; sql: string }> }>(server, "/v1/named-queries");
        assert.equal(namedQueries.find((query) => query.name === "product views")?.sql, sql);
        await page.locator("#sql-editor").fill("SELECT 1");
        await page.locator('[data-named-query="product views"]').click();
        assert.equal(await page.locator("#sql-editor").inputValue(), sql, "a saved query loads into the editor");
      });
    });

    await t.test("the inventory heat map matches /v1/inventory; Run store planning shows its report and the queue depth moves", async (t) => {
      await onPage(t, browser, server, "inventory", "inventory-planning", async (page) => {
        const grid = await api<{ cells: Array<{ store_id: string; product_id: string; available: number; reorder_point: number }> }>(server, "/v1/inventory");
        assert.ok(grid.cells.length > 0, "inventory cells");
        assert.equal(await page.locator("#page canvas").first().isVisible(), true, "the heat map");
        const cell = grid.cells[Math.floor(grid.cells.length / 2)]!;
        const row = page.locator(`tr[data-cell="${cell.store_id}/${cell.product_id}"]`);
        await page.locator("details summary").click();
        assert.equal(digits(await row.locator("td:nth-child(3)").textContent()), String(cell.available));
        assert.equal(digits(await row.locator("td:nth-child(4)").textContent()), String(cell.reorder_point));
        await page.locator("details summary").click();

        const depth = async () => {
          const health = await api<{ queues: Array<{ name: string; visible: number }> }>(server, "/v1/pipeline");
          return health.queues.find((queue) => queue.name === "replenishment")?.visible ?? 0;
        };
        const before = await depth();
        await waitFor(async () => (await kpiText(page, "queue.replenishment.visible")) === String(before), 10_000, "the queue depth before");
        await page.locator("#run-planning").click();
        await page.locator('#planning-report [data-kpi="planning.sent"]').waitFor({ timeout: 30_000 });
        const sent = Number(await kpiText(page, "planning.sent"));
        assert.ok(sent >= lowStock.length, `planning sent ${sent}`);
        assert.equal(await depth(), before + sent);
        await waitFor(async () => (await kpiText(page, "queue.replenishment.visible")) === String(before + sent), 10_000, "the queue depth after");
      });
    });

    await t.test("the trucks page matches /v1/trucks", async (t) => {
      await onPage(t, browser, server, "trucks", "trucks", async (page) => {
        const fleet = await api<{ trucks: Array<{ truck_id: string }>; totals: { dispatched: number; delivered_units: number } }>(server, "/v1/trucks");
        assert.equal(await page.locator("tr[data-truck]").count(), fleet.trucks.length);
        assert.equal(await kpiText(page, "trucks.dispatched"), String(fleet.totals.dispatched));
        assert.equal(await page.locator("#page canvas").first().isVisible(), true, "the map");
      });
    });

    await t.test("the pipeline page shows queues and alarms as the API does", async (t) => {
      // Two dead letters: messages received more often than their queue's maxReceiveCount move to its DLQ.
      const { queue } = server.pipeline;
      await queue.createQueue("dashboard-dlq", {});
      await queue.createQueue("dashboard", { redrivePolicy: { deadLetterQueue: "dashboard-dlq", maxReceiveCount: 1 } });
      await queue.send("dashboard", [{ body: "first" }, { body: "second" }]);
      await waitFor(async () => {
        await queue.receive("dashboard", { maxMessages: 10, waitTimeSec: 0, visibilityTimeoutSec: 0 });
        return (await queue.counts("dashboard-dlq")).visible === 2;
      }, 10_000, "two dead letters");
      await onPage(t, browser, server, "pipeline", "pipeline", async (page) => {
        const health = await api<{ queues: Array<{ name: string; visible: number }>; alarms: { ALARM: number } }>(server, "/v1/pipeline");
        await waitFor(async () => digits(await page.locator('tr[data-queue="dashboard-dlq"] td:nth-child(2)').textContent()) === "2", 10_000, "the dead letters shown");
        for (const queue of health.queues) {
          assert.equal(digits(await page.locator(`tr[data-queue="${queue.name}"] td:nth-child(2)`).textContent()), String(queue.visible), queue.name);
        }
        assert.equal(await kpiText(page, "alarms.ALARM"), String(health.alarms.ALARM));
        const { alarms } = await api<{ alarms: unknown[] }>(server, "/v1/alarms");
        assert.equal(await page.locator("tr[data-alarm]").count(), alarms.length);
        await page.locator('[data-redrive="dashboard-dlq"]').click();
        await page.getByText("Redrove 2 messages from dashboard-dlq.").waitFor();
        const after = await api<{ queues: Array<{ name: string; visible: number }> }>(server, "/v1/pipeline");
        assert.deepEqual(["dashboard", "dashboard-dlq"].map((name) => after.queues.find((q) => q.name === name)?.visible), [2, 0]);
        await waitFor(async () => digits(await page.locator('tr[data-queue="dashboard-dlq"] td:nth-child(2)').textContent()) === "0", 10_000, "the emptied DLQ shown");
      });
    });
  });
});
