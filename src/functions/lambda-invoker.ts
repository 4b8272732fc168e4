// Runs an unmodified Lambda handler in the function's worker pool: stream batches travel packed and
// become Lambda's Kinesis event in the worker; other events (SQS, direct invocations) go as they are.
import { streamArn } from "./arn.js";
import type { InvocationOutcome } from "./invocation.js";
import type { FunctionInvoker, StreamBatchSource } from "./invoker.js";
import { packKinesisBatch } from "./kinesis-event.js";
import type { StreamRecord } from "../stream/index.js";
import type { WorkerPool } from "./worker-pool.js";

export class LambdaInvoker implements FunctionInvoker {
  constructor(private readonly pool: WorkerPool) {}

  invokeStreamBatch(records: readonly StreamRecord[], source: StreamBatchSource): Promise<InvocationOutcome> {
    const { batch, transfer } = packKinesisBatch(records, source.shardId, streamArn(source.stream));
    return this.pool.invoke({ kind: "kinesis", batch }, transfer);
  }

  invokeEvent(event: unknown): Promise<InvocationOutcome> {
    return this.pool.invoke({ kind: "event", event });
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
