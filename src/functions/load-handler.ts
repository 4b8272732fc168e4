// Lambda's init phase inside a worker: imports the handler module and finds its export. ESM exports it by
// name; CommonJS (`exports.handler = …`, `module.exports = { handler }`) surfaces as named exports or under
// `default`, so both are looked at. Failures use the Node.js runtime's error types.
import { RuntimeErrorType, toFunctionError, type FunctionError } from "./invocation.js";
import type { LambdaHandler } from "./call-handler.js";

export async function loadHandler(handlerUrl: string, exportName: string): Promise<{ handler: LambdaHandler } | { error: FunctionError }> {
  let module: Record<string, unknown>;
  try {
    module = (await import(handlerUrl)) as Record<string, unknown>;
  } catch (error) {
    const cause = toFunctionError(error);
    return { error: { ...cause, errorType: RuntimeErrorType.importModule, errorMessage: `${cause.errorType}: ${cause.errorMessage}` } };
  }
  const commonJs = module["default"] as Record<string, unknown> | undefined;
  const handler = module[exportName] ?? (typeof commonJs === "object" || typeof commonJs === "function" ? commonJs?.[exportName] : undefined);
  if (typeof handler !== "function") {
    return {
      error: { errorType: RuntimeErrorType.handlerNotFound, errorMessage: `${new URL(handlerUrl).pathname}#${exportName} is undefined or not exported` },
    };
  }
  return { handler: handler as LambdaHandler };
}
