// StorePlanning as a Lambda function: the event's options override the config's `planning` section for one
// run (parsed as POST /v1/planning/run's body is), and the run's report is the response. A bad option is
// the handler's error (errorType ValidationError), as a handler that checks its event would answer on AWS.
import { randomUUID } from "node:crypto";
import { parsePlanningOptions, PLANNING_RUN_OPTIONS, type PlanningRunOverrides, type PlanningRunReport } from "../../planning/index.js";
import { functionErrorOf, type LambdaFunction, type LambdaInvokeOutcome } from "./lambda-function.js";

export const STORE_PLANNING_FUNCTION = "StorePlanning";

export function storePlanningFunction(run: (overrides: PlanningRunOverrides) => Promise<PlanningRunReport>): LambdaFunction {
  return {
    name: STORE_PLANNING_FUNCTION,
    description: `store planning over the lake: one replenishment alert per store and product below its reorder point; event options: ${Object.entries(PLANNING_RUN_OPTIONS)
      .map(([key, text]) => `${key} (${text})`)
      .join(", ")}`,
    handler: "shopstream.StorePlanning",
    timeoutSec: 900,
    memorySizeMb: 1024,
    environment: {},
    async invoke(event): Promise<LambdaInvokeOutcome> {
      const requestId = randomUUID();
      try {
        return { requestId, payload: await run(parsePlanningOptions(event)) };
      } catch (error) {
        return { requestId, payload: functionErrorOf(error), functionError: "Unhandled" };
      }
    },
  };
}
