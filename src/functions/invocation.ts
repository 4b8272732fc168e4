// One invocation's result, the same for built-ins and Lambda handlers: the handler's response, or its
// error in Lambda's shape ({ errorType, errorMessage, trace }). Runtime failures use Lambda's error types,
// so logs, metrics and the Invoke API read as they would on AWS.

export interface FunctionError {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

export type InvocationOutcome =
  | { ok: true; requestId: string; response: unknown }
  | { ok: false; requestId: string; error: FunctionError };

/** Lambda's error types for failures of the runtime rather than of the handler's code. */
export const RuntimeErrorType = {
  timeout: "Sandbox.Timedout",
  exit: "Runtime.ExitError",
  outOfMemory: "Runtime.OutOfMemory",
  importModule: "Runtime.ImportModuleError",
  handlerNotFound: "Runtime.HandlerNotFound",
  shutdown: "Runtime.Shutdown",
} as const;

/** Lambda's serialisation of a thrown value: an Error keeps its name, message and stack lines. */
export function toFunctionError(thrown: unknown): FunctionError {
  if (thrown instanceof Error) {
    return { errorType: thrown.name, errorMessage: thrown.message, trace: thrown.stack?.split("\n") ?? [] };
  }
  return { errorType: typeof thrown, errorMessage: String(thrown), trace: [] };
}

export function timeoutError(requestId: string, timeoutMs: number): FunctionError {
  return {
    errorType: RuntimeErrorType.timeout,
    errorMessage: `${new Date().toISOString()} ${requestId} Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
  };
}
