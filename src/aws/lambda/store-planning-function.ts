// StorePlanning as a Lambda function: the event's options override the config's `planning` section for one
// run (as POST /v1/planning/run's body does), and the run's report is the response. A bad option is the
// handler's error (errorType ValidationError), as a handler that checks its event would answer on AWS.
import { randomUUID } from "node:crypto";
import type { PlanningRunOverrides, PlanningRunReport } from "../../planning/index.js";
import { functionErrorOf, type LambdaFunction, type LambdaInvokeOutcome } from "./lambda-function.js";

export const STORE_PLANNING_FUNCTION = "StorePlanning";

/** The event's members, snake_case as in POST /v1/planning/run. */
const OPTIONS = {
  store_id: "plan for this store only",
  dedup_window_ms: "a need alerted within this many ms is not sent again",
  demand_window_days: "recent demand is what sold in this many days",
  now: "shop time of the run, ISO 8601 (default now)",
} as const;

class ValidationError extends Error {
  override name = "ValidationError";
}

/** The run's overrides from an invocation event: `{}` (or null) runs with the config's settings. */
export function planningOverridesOf(event: unknown): PlanningRunOverrides {
  if (event === null || event === undefined) return {};
  if (typeof event !== "object" || Array.isArray(event)) throw new ValidationError("the event must be a JSON object, e.g. {\"store_id\": \"S001\"}");
  const input = event as Record<string, unknown>;
  const unknown = Object.keys(input).filter((key) => !(key in OPTIONS));
  if (unknown.length > 0) throw new ValidationError(`unknown option ${unknown.join(", ")}; expected ${Object.keys(OPTIONS).join(", ")}`);
  const overrides: PlanningRunOverrides = {};
  const storeId = input["store_id"];
  if (storeId !== undefined) {
    if (typeof storeId !== "string" || storeId.length === 0 || storeId.length > 128) throw new ValidationError("store_id: expected 1 to 128 characters");
    overrides.storeId = storeId;
  }
  for (const [member, field] of [["dedup_window_ms", "dedupWindowMs"], ["demand_window_days", "demandWindowDays"]] as const) {
    const value = input[member];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw new ValidationError(`${member}: expected a number of at least 0`);
    overrides[field] = value;
  }
  const now = input["now"];
  if (now !== undefined) {
    const nowMs = typeof now === "string" ? Date.parse(now) : Number.NaN;
    if (Number.isNaN(nowMs)) throw new ValidationError("now: expected an ISO 8601 time");
    overrides.nowMs = nowMs;
  }
  return overrides;
}

export function storePlanningFunction(run: (overrides: PlanningRunOverrides) => Promise<PlanningRunReport>): LambdaFunction {
  return {
    name: STORE_PLANNING_FUNCTION,
    description: `store planning over the lake: one replenishment alert per store and product below its reorder point; event options: ${Object.entries(OPTIONS)
      .map(([key, text]) => `${key} (${text})`)
      .join(", ")}`,
    handler: "shopstream.StorePlanning",
    timeoutSec: 900,
    memorySizeMb: 1024,
    environment: {},
    async invoke(event): Promise<LambdaInvokeOutcome> {
      const requestId = randomUUID();
      try {
        return { requestId, payload: await run(planningOverridesOf(event)) };
      } catch (error) {
        return { requestId, payload: functionErrorOf(error), functionError: "Unhandled" };
      }
    },
  };
}
