// The dashboard with API keys configured, in a real Chromium: the page loads without a key, asks for one
// when the API answers 401, keeps it in localStorage, and from then on its fetches and its live feed work.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chromium } from "../src/test-support/backends.js";
import { buildDashboard, launchBrowser, screenshot, watchConsole } from "../src/test-support/browser.js";
import { startTestServer, waitFor } from "../src/test-support/server.js";

const { skip } = chromium();
const READ_KEY = "dashboard-read-key-0123456789";

describe("dashboard behind API keys", { skip, timeout: 120_000 }, () => {
  it("asks for a key, keeps it, and sends it on every fetch and on the live feed", async (t) => {
    buildDashboard();
    const server = await startTestServer(t, {
      yaml: `simulator: { ratePerSec: 0 }\nserver:\n  port: 0\n  auth:\n    apiKeys:\n      - { name: dashboard, key: "${READ_KEY}", scopes: [read] }\n`,
    });
    const browser = await launchBrowser();
    t.after(() => browser.close());
    const page = await browser.newPage();
    const errors = watchConsole(page);
    const prompts: string[] = [];
    page.on("dialog", (dialog) => {
      prompts.push(dialog.message());
      void dialog.accept(READ_KEY);
    });

    // The page itself is open; its first API call answers 401 and the page asks.
    const response = await page.goto(`${server.url}/#/sales`);
    assert.equal(response?.status(), 200);
    // (The page reloads once the key is in: a probe that meets the reload tries again.)
    const storedKey = () => page.evaluate(() => window.localStorage.getItem("shopstream.apiKey")).catch(() => undefined);
    await waitFor(async () => (await storedKey()) === READ_KEY, 20_000, "the key stored");
    assert.match(prompts[0] ?? "", /API key/);

    // After the reload the live feed (?api_key=) and the pages' fetches (x-api-key) go through.
    await page.waitForFunction(() => document.getElementById("status")?.textContent?.startsWith("live"), undefined, { timeout: 20_000 });
    await page.waitForSelector('[data-page="sales"][data-loaded="true"]', { timeout: 20_000 });
    assert.equal(prompts.length, 1, "asked once");
    await screenshot(page, "access-dashboard-with-key");
    // The 401s before the key was given are the only failed requests.
    assert.ok(errors.every((error) => /401|Unauthorized/i.test(error)), errors.join("\n"));
  });
});
