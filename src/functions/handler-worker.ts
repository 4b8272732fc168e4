// A worker thread that hosts one Lambda handler: loads it once, then runs one invocation at a time and
// answers with the result as JSON or the error in Lambda's shape. A handler that hangs, exits or throws
// from a timer takes only this thread down; the pool in the main thread notices and replaces it.
// Keep this module's imports small: they are the cold start of every worker.
import { parentPort, workerData } from "node:worker_threads";
import { callHandler } from "./call-handler.js";
import { toFunctionError } from "./invocation.js";
import { kinesisEvent } from "./kinesis-event.js";
import { lambdaContext } from "./lambda-context.js";
import { loadHandler } from "./load-handler.js";
import type { HandlerWorkerData, InvokeReply, InvokeRequest, WorkerInit } from "./worker-protocol.js";

const data = workerData as HandlerWorkerData;
const port = parentPort!;

const loaded = await loadHandler(data.handlerUrl, data.exportName);
if ("error" in loaded) {
  port.postMessage({ type: "init-error", error: loaded.error } satisfies WorkerInit);
} else {
  const { handler } = loaded;
  port.on("message", async (request: InvokeRequest) => {
    let reply: InvokeReply;
    try {
      const event = request.payload.kind === "kinesis" ? kinesisEvent(request.payload.batch) : request.payload.event;
      const context = lambdaContext({
        functionName: data.functionName,
        memorySizeMb: data.memorySizeMb,
        awsRequestId: request.requestId,
        deadlineMs: request.deadlineMs,
        logGroupName: data.logGroupName,
        logStreamName: data.logStreamName,
      });
      const result = await callHandler(handler, event, context);
      // Lambda returns the handler's result serialised as JSON; undefined becomes null.
      reply = { requestId: request.requestId, ok: true, responseJson: JSON.stringify(result ?? null) };
    } catch (error) {
      reply = { requestId: request.requestId, ok: false, error: toFunctionError(error) };
    }
    port.postMessage(reply);
  });
  port.postMessage({ type: "ready" } satisfies WorkerInit);
}
