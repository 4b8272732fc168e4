// A headless Debian Chromium driven by playwright-core (never a downloaded browser), with screenshots
// saved under test-artifacts/ (gitignored) for people to look at.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { CHROMIUM_PATH } from "./backends.js";

export const ARTIFACTS_DIR = fileURLToPath(new URL("../../test-artifacts/", import.meta.url));

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** Collects console errors and failed requests of a page, for "no console errors" checks. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

let dashboardBuilt = false;

/**
 * Builds the dashboard (scripts/build-web.mjs, as `npm run build` does) once per test process, so browser
 * tests never run against a stale bundle or a missing one (the server answers 503 without it).
 */
export function buildDashboard(): void {
  if (dashboardBuilt) return;
  const script = fileURLToPath(new URL("../../scripts/build-web.mjs", import.meta.url));
  const run = spawnSync(process.execPath, [script], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`building the dashboard failed:\n${run.stdout}${run.stderr}`);
  dashboardBuilt = true;
}
