// The dashboard's shell: the nav bar (collapsing at phone width), hash routing between the pages, the
// live counters fed by the SSE stream /v1/live, and each page's polling while the tab is visible.
import { liveFeedUrl, onUnauthorized, storeApiKey, storedApiKey, type PipelineStats } from "./api.js";
import { fmt, h } from "./dom.js";
import { PageScope, type Page, type PageDefinition } from "./page.js";
import { customersPage } from "./pages/customers.js";
import { fraudPage } from "./pages/fraud.js";
import { inventoryPage } from "./pages/inventory.js";
import { pipelinePage } from "./pages/pipeline.js";
import { salesPage } from "./pages/sales.js";
import { sqlPage } from "./pages/sql.js";
import { trucksPage } from "./pages/trucks.js";

const PAGES: PageDefinition[] = [salesPage, inventoryPage, trucksPage, customersPage, fraudPage, pipelinePage, sqlPage];
const DEFAULT_POLL_MS = 5000;

const main = document.getElementById("page") as HTMLElement;
const nav = document.getElementById("nav") as HTMLElement;
const navToggle = document.getElementById("nav-toggle") as HTMLButtonElement;
const status = document.getElementById("status") as HTMLElement;

let current: { definition: PageDefinition; root: HTMLElement; page: Page; scope: PageScope; lastRefreshMs: number; refreshing: boolean } | undefined;
let lastStats: PipelineStats | undefined;

for (const definition of PAGES) {
  nav.append(h("a", { href: `#/${definition.id}`, "data-nav": definition.id }, definition.title));
}
navToggle.addEventListener("click", () => setNavOpen(navToggle.getAttribute("aria-expanded") !== "true"));

function setNavOpen(open: boolean): void {
  navToggle.setAttribute("aria-expanded", String(open));
  nav.classList.toggle("open", open);
}

function route(): void {
  const id = location.hash.replace(/^#\/?/, "").split("?")[0] || PAGES[0]!.id;
  const definition = PAGES.find((page) => page.id === id) ?? PAGES[0]!;
  current?.scope.dispose();
  const root = h("div", { class: "page", "data-page": definition.id });
  main.replaceChildren(root);
  for (const link of nav.querySelectorAll("a")) {
    if (link.dataset["nav"] === definition.id) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  setNavOpen(false);
  document.title = `${definition.title} · shopstream`;
  const scope = new PageScope();
  current = { definition, root, page: definition.mount(root, scope), scope, lastRefreshMs: 0, refreshing: false };
  if (lastStats) current.page.onStats?.(lastStats);
  void refreshCurrent();
}

async function refreshCurrent(): Promise<void> {
  const active = current;
  if (!active || active.refreshing) return;
  active.refreshing = true;
  active.lastRefreshMs = Date.now();
  try {
    await active.page.refresh();
    // Tests and people's tools wait for this: the page has shown its first data (or its notices).
    active.root.dataset["loaded"] = "true";
  } catch (error) {
    // Pages show their own problems per panel; this is the last resort, shown and not thrown.
    status.textContent = `refresh failed: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    active.refreshing = false;
  }
}

window.setInterval(() => {
  if (!current || document.visibilityState !== "visible") return;
  if (Date.now() - current.lastRefreshMs >= (current.definition.pollMs ?? DEFAULT_POLL_MS)) void refreshCurrent();
}, 500);
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") void refreshCurrent();
});
window.addEventListener("hashchange", route);

/** Dotted paths into the stats frame, e.g. "store.orders". */
function pick(stats: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((value, key) => (value === null || typeof value !== "object" ? undefined : (value as Record<string, unknown>)[key]), stats);
}

function renderStats(stats: PipelineStats): void {
  lastStats = stats;
  for (const element of document.querySelectorAll<HTMLElement>("[data-stat]")) {
    const value = Number(pick(stats, element.dataset["stat"] ?? "") ?? 0);
    element.textContent = element.dataset["format"] === "money" ? fmt.money(value) : fmt.int(value);
  }
  status.textContent = `live · ${fmt.time(stats.at)} UTC`;
  status.classList.remove("offline");
  current?.page.onStats?.(stats);
}

// With API keys configured the server answers 401 until a key is sent: ask once, keep it, start over.
let askingForKey = false;
onUnauthorized(() => {
  if (askingForKey) return;
  askingForKey = true;
  const key = window.prompt(
    storedApiKey() === undefined ? "This server needs an API key (read scope; admin to run SQL and planning):" : "The API key was refused; enter another:",
  );
  if (key !== null) {
    storeApiKey(key.trim() || undefined);
    window.location.reload();
  } else {
    status.textContent = "an API key is needed";
    status.classList.add("offline");
  }
});

const live = new EventSource(liveFeedUrl());
live.addEventListener("stats", (event) => renderStats(JSON.parse((event as MessageEvent<string>).data) as PipelineStats));
live.addEventListener("error", () => {
  status.textContent = "reconnecting…";
  status.classList.add("offline");
});

route();
