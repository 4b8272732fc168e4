// The dashboard in a real browser (Debian Chromium): it opens with no console errors and its live counters
// show the same figures as the API.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chromium } from "../src/test-support/backends.js";
import { launchBrowser, screenshot, watchConsole } from "../src/test-support/browser.js";
import { startTestServer, waitFor } from "../src/test-support/server.js";
import { generateEvents } from "../src/simulator/index.js";

const { skip } = chromium();

describe("dashboard", { skip }, () => {
  it("shows live counters that match the API, with no console errors", async (t) => {
    const server = await startTestServer(t);
    const browser = await launchBrowser();
    t.after(() => browser.close());
    let ordersPosted = 0;
    for (const width of [1280, 390]) {
      const page = await browser.newPage({ viewport: { width, height: 800 } });
      const errors = watchConsole(page);
      await page.goto(server.url);
      const events = generateEvents({ seed: 21 + width }, 1500);
      const res = await fetch(`${server.url}/v1/events`, { method: "POST", body: events.map((e) => JSON.stringify(e)).join("\n") });
      assert.equal(res.status, 200);
      const stats = async () => (await (await fetch(`${server.url}/v1/stats`)).json()) as { ingest: { accepted: number }; store: { orders: number } };
      ordersPosted += events.filter((e) => e.type === "order_placed").length;
      await waitFor(async () => (await stats()).store.orders === ordersPosted, 15_000, "orders processed");
      const expected = await stats();
      const shown = () => page.locator('[data-stat="ingest.accepted"]').textContent();
      await waitFor(async () => (await shown())?.replace(/\D/g, "") === String(expected.ingest.accepted), 10_000, "the live counter to update");
      assert.equal((await page.locator('[data-stat="store.orders"]').textContent())?.replace(/\D/g, ""), String(expected.store.orders));
      await screenshot(page, `dashboard-${width}`);
      assert.deepEqual(errors, []);
      await page.close();
    }
  });
});
