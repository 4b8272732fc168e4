// What the Lambda API serves: a function with its Lambda configuration and a way to run it once on a JSON
// event. The pipeline's deployed functions (built-ins and user handlers) and StorePlanning are all this.
import type { FunctionError } from "../../functions/index.js";

export interface LambdaInvokeOutcome {
  requestId: string;
  /** the handler's response, or with functionError set, the error in Lambda's shape */
  payload: unknown;
  functionError?: "Unhandled";
}

export interface LambdaFunction {
  name: string;
  description: string;
  /** a user handler as configured (`./functions/plan.mjs#main`), or `shopstream.<name>` for a built-in */
  handler: string;
  timeoutSec: number;
  memorySizeMb: number;
  environment: Readonly<Record<string, string>>;
  /** the stream or queue an event source mapping feeds it from, if any */
  eventSource?: { kind: "stream" | "queue"; name: string };
  /** Runs the function once on a JSON event. A handler's error is an outcome with functionError, never a throw. */
  invoke(event: unknown): Promise<LambdaInvokeOutcome>;
}

/** The functions the API sees now (a lookup per request, so it follows the pipeline). */
export interface LambdaFunctionCatalog {
  list(): readonly LambdaFunction[];
  get(name: string): LambdaFunction | undefined;
}

/** Lambda's serialisation of a thrown value, for functions that run in this process. */
export function functionErrorOf(thrown: unknown): FunctionError {
  if (thrown instanceof Error) return { errorType: thrown.name, errorMessage: thrown.message, trace: thrown.stack?.split("\n") ?? [] };
  return { errorType: typeof thrown, errorMessage: String(thrown), trace: [] };
}
