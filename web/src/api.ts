// The dashboard's view of the HTTP API: JSON fetches with typed errors, and the response shapes, which are
// imported from the server's sources (type-only, erased by the bundler: no server code in the bundle).
import type { DashboardFeatures } from "../../src/server/dashboard-routes.js";

export type { KpiSeries } from "../../src/customers/kpi-series.js";
export type { RfmSummary } from "../../src/customers/rfm.js";
export type { CustomerSummary } from "../../src/customers/profile-queries.js";
export type { Cohort } from "../../src/customers/cohorts.js";
export type { FraudAlert } from "../../src/fraud/alerts.js";
export type { FraudAlertSummary } from "../../src/fraud/alert-queries.js";
export type { PlanningReport } from "../../src/planning/planner.js";
export type { ResultPage, NamedQueryList } from "../../src/analytics/query-service.js";
export type { QueryExecution } from "../../src/analytics/query-execution.js";
export type { TableInfo } from "../../src/analytics/table-registry.js";
export type { PipelineStats } from "../../src/server/stats.js";
export type { KpiViewResult } from "../../src/server/kpi-routes.js";
export type { InventoryCell, InventoryGrid, LowStockItem } from "../../src/planning/inventory-view.js";
export type { FleetState, TruckState } from "../../src/planning/fleet-state.js";
export type { AlarmList, AlarmView, PipelineHealth } from "../../src/server/pipeline-routes.js";
export type { DashboardFeatures };

/** The server answered with an error body ({error: {code, message}}) or a status outside 2xx. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** This server does not mount the API a panel needs (yet). */
export class NotAvailableError extends Error {
  constructor(readonly api: string) {
    super(`${api} is not available on this server`);
    this.name = "NotAvailableError";
  }
}

/** Where the dashboard keeps the API key a person typed in, when the server asks for one. */
const API_KEY_STORAGE = "shopstream.apiKey";

export function storedApiKey(): string | undefined {
  try {
    return window.localStorage.getItem(API_KEY_STORAGE) || undefined;
  } catch {
    return undefined;
  }
}

export function storeApiKey(key: string | undefined): void {
  if (key) window.localStorage.setItem(API_KEY_STORAGE, key);
  else window.localStorage.removeItem(API_KEY_STORAGE);
}

let unauthorizedHandler: (() => void) | undefined;

/** Called when the server answers 401: no key, or the stored one is wrong. */
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler;
}

/** The live feed's URL: EventSource cannot send headers, so the key goes in the query (accepted there only). */
export function liveFeedUrl(): string {
  const key = storedApiKey();
  return key === undefined ? "/v1/live" : `/v1/live?api_key=${encodeURIComponent(key)}`;
}

async function request<T>(method: string, url: string, body?: unknown): Promise<T> {
  const key = storedApiKey();
  const response = await fetch(url, {
    method,
    headers: { ...(body !== undefined && { "content-type": "application/json" }), ...(key !== undefined && { "x-api-key": key }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (response.status === 401) unauthorizedHandler?.();
  const text = await response.text();
  const json = text === "" ? undefined : (JSON.parse(text) as unknown);
  if (!response.ok) {
    const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(response.status, error?.code ?? String(response.status), error?.message ?? `${method} ${url}: HTTP ${response.status}`);
  }
  return json as T;
}

export const getJson = <T>(url: string): Promise<T> => request<T>("GET", url);
export const postJson = <T>(url: string, body?: unknown): Promise<T> => request<T>("POST", url, body ?? {});
export const deleteJson = <T>(url: string): Promise<T> => request<T>("DELETE", url);

let features: Promise<DashboardFeatures> | undefined;

/** Which optional APIs the server mounts; asked once a minute at most. */
export function serverFeatures(): Promise<DashboardFeatures> {
  if (!features) {
    features = getJson<DashboardFeatures>("/v1/dashboard/features");
    const forget = () => window.setTimeout(() => (features = undefined), 60_000);
    features.then(forget, () => (features = undefined));
  }
  return features;
}

/** GETs an optional API, or throws NotAvailableError without asking when the server does not mount it. */
export async function getOptional<T>(feature: keyof DashboardFeatures, url: string): Promise<T> {
  if (!(await serverFeatures())[feature]) throw new NotAvailableError(url.split("?")[0] ?? url);
  return getJson<T>(url);
}
