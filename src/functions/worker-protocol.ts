// The messages between a worker pool (main thread) and a handler worker. A worker loads its handler once
// (Lambda's init phase), says whether that worked, then runs one invocation at a time.
import type { FunctionError } from "./invocation.js";
import type { PackedKinesisBatch } from "./kinesis-event.js";

export interface HandlerWorkerData {
  functionName: string;
  /** file: URL of the handler module */
  handlerUrl: string;
  exportName: string;
  memorySizeMb: number;
  logGroupName: string;
  logStreamName: string;
  /** file: URLs of tsx's loader APIs (ESM and CommonJS), when TypeScript has to load */
  tsxUrls?: string[];
}

export type WorkerInit = { type: "ready" } | { type: "init-error"; error: FunctionError };

export interface InvokeRequest {
  requestId: string;
  /** ms since the epoch; context.getRemainingTimeInMillis() counts down to it */
  deadlineMs: number;
  /** a batch of stream records to expand into Lambda's Kinesis event in the worker, or any JSON event */
  payload: { kind: "kinesis"; batch: PackedKinesisBatch } | { kind: "event"; event: unknown };
}

export type InvokeReply =
  | { requestId: string; ok: true; /** the handler's result as Lambda returns it: JSON */ responseJson: string }
  | { requestId: string; ok: false; error: FunctionError };
