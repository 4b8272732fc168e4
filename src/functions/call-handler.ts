// Calls a Lambda handler the way the Node.js runtime does, so unmodified handlers run: an async handler's
// promise settles the invocation; a callback-style handler `(event, context, callback)` settles it through
// the callback or the legacy context.done/succeed/fail; the first of these wins.
import type { LambdaContext } from "./lambda-context.js";

export type LambdaHandler = (event: unknown, context: LambdaContext, callback: (error?: unknown, result?: unknown) => void) => unknown;

export function callHandler(handler: LambdaHandler, event: unknown, context: LambdaContext): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const succeed = (result?: unknown) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    const callback = (error?: unknown, result?: unknown) => (error === undefined || error === null ? succeed(result) : fail(error));
    context.done = callback;
    context.succeed = succeed;
    context.fail = fail;
    let returned: unknown;
    try {
      returned = handler(event, context, callback);
    } catch (error) {
      fail(error);
      return;
    }
    if (typeof (returned as PromiseLike<unknown> | undefined)?.then === "function") {
      (returned as PromiseLike<unknown>).then(succeed, fail);
    } else if (handler.length < 3) {
      // A synchronous handler without a callback parameter: the runtime would finish when the event loop
      // empties, which a worker cannot observe; its return value is the result.
      succeed(returned);
    }
  });
}
