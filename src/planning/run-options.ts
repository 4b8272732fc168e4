// The options of one store planning run as its callers take them, snake_case: POST /v1/planning/run's body
// and the StorePlanning Lambda function's event. One parser, so both accept and refuse the same input.
import { ValidationError } from "../errors/index.js";
import type { PlanningRunOverrides } from "./store-planning.js";

/** Each option with what it does (the Lambda function's description lists them). */
export const PLANNING_RUN_OPTIONS = {
  store_id: "plan for this store only",
  dedup_window_ms: "a need alerted within this many ms is not sent again",
  demand_window_days: "recent demand is what sold in this many days",
  now: "shop time of the run, ISO 8601 (default now)",
} as const;

/** The run's overrides of the config's `planning` section: `{}`, null or no body runs with the config's settings. */
export function parsePlanningOptions(input: unknown): PlanningRunOverrides {
  if (input === null || input === undefined) return {};
  if (typeof input !== "object" || Array.isArray(input)) throw new ValidationError('expected a JSON object, e.g. {"store_id": "S001"}');
  const options = input as Record<string, unknown>;
  const unknown = Object.keys(options).filter((key) => !Object.hasOwn(PLANNING_RUN_OPTIONS, key));
  if (unknown.length > 0) throw new ValidationError(`unknown option ${unknown.join(", ")}; expected ${Object.keys(PLANNING_RUN_OPTIONS).join(", ")}`);
  const overrides: PlanningRunOverrides = {};
  const storeId = options["store_id"];
  if (storeId !== undefined) {
    if (typeof storeId !== "string" || storeId.length === 0 || storeId.length > 128) throw new ValidationError("store_id: expected a string of 1 to 128 characters");
    overrides.storeId = storeId;
  }
  for (const [member, field] of [["dedup_window_ms", "dedupWindowMs"], ["demand_window_days", "demandWindowDays"]] as const) {
    const value = options[member];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw new ValidationError(`${member}: expected a number of at least 0`);
    overrides[field] = value;
  }
  const now = options["now"];
  if (now !== undefined) {
    const nowMs = typeof now === "string" ? Date.parse(now) : Number.NaN;
    if (Number.isNaN(nowMs)) throw new ValidationError("now: expected an ISO 8601 time");
    overrides.nowMs = nowMs;
  }
  return overrides;
}
