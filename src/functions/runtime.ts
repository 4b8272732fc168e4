// The deployed functions: runs their event source mappings (a ShardConsumer per function and shard, a
// QueuePoller per queue mapping) and answers direct invocations. stop() drains: every mapping finishes
// and commits its batch in flight, then the workers are shut down.
import { NotFoundError, ValidationError } from "../errors/index.js";
import { componentLogger, type Logger } from "../monitor/index.js";
import type { Queue } from "../queue/index.js";
import type { Stream } from "../stream/index.js";
import type { FailureDestination } from "./failure-destination.js";
import type { FunctionInvoker } from "./invoker.js";
import { QueuePoller } from "./queue-poller.js";
import type { RetryBackoff } from "./retry-backoff.js";
import { ShardConsumer } from "./shard-consumer.js";
import type { FunctionSpec } from "./types.js";

export interface DeployedFunction {
  spec: FunctionSpec;
  invoker: FunctionInvoker;
  destination?: FailureDestination;
}

export interface RuntimeBackends {
  stream: Stream;
  queue: Queue | undefined;
  backoff: RetryBackoff;
  clock: () => number;
}

/** Lambda's Invoke answer: the result, or with functionError set, the error as the payload. */
export interface InvokeResult {
  requestId: string;
  executedVersion: "$LATEST";
  payload: unknown;
  functionError?: "Unhandled";
}

interface RunningMapping {
  functionName: string;
  stop(): void;
  done: Promise<void>;
  /** stream mappings only: the shard and its committed position, for lag */
  shard?: { stream: string; shardId: string; consumer: ShardConsumer };
}

export class FunctionRuntime {
  private readonly mappings: RunningMapping[] = [];
  private readonly log = componentLogger("functions");

  constructor(
    private readonly functions: ReadonlyMap<string, DeployedFunction>,
    private readonly backends: RuntimeBackends,
  ) {}

  /** The checkpoint owner name of a function's stream mapping. */
  static consumerName(functionName: string): string {
    return `function:${functionName}`;
  }

  get functionNames(): string[] {
    return [...this.functions.keys()];
  }

  /**
   * Starts every event source mapping. Functions without one are ready for invokeFunction as they are.
   * `streamShards: false` starts only the queue mappings: a clustered worker starts the shards it leases
   * one by one (startShard).
   */
  async start(options: { streamShards?: boolean } = {}): Promise<void> {
    const { stream, queue, backoff } = this.backends;
    for (const { spec, invoker } of this.functions.values()) {
      const log = this.log.child({ function: spec.name });
      const source = spec.source;
      if (source?.kind === "stream") {
        if (options.streamShards === false) continue;
        for (const { shardId } of (await stream.describeStream(source.mapping.stream)).shards) this.startShard(spec.name, shardId);
      } else if (source?.kind === "queue" && queue) {
        const poller = new QueuePoller({ queue, functionName: spec.name, mapping: source.mapping, invoker, backoff, log: log.child({ queue: source.mapping.queue }) });
        this.track({ functionName: spec.name, stop: () => poller.stop() }, poller.run(), log);
      }
    }
  }

  /** The stream mappings: function, checkpoint owner and stream, whose shards startShard runs. */
  streamMappings(): Array<{ functionName: string; consumerName: string; stream: string }> {
    return [...this.functions.values()].flatMap(({ spec }) =>
      spec.source?.kind === "stream" ? [{ functionName: spec.name, consumerName: FunctionRuntime.consumerName(spec.name), stream: spec.source.mapping.stream }] : [],
    );
  }

  /** Runs a stream-mapped function's consumer of one shard, from its checkpoint (a no-op when it runs). */
  startShard(functionName: string, shardId: string): void {
    const fn = this.functions.get(functionName);
    if (fn?.spec.source?.kind !== "stream") throw new NotFoundError(`function ${JSON.stringify(functionName)} has no stream mapping`, "function_not_found");
    if (this.mappings.some((m) => m.functionName === functionName && m.shard?.shardId === shardId)) return;
    const { stream, backoff, clock } = this.backends;
    const { mapping } = fn.spec.source;
    const log = this.log.child({ function: functionName });
    const consumer = new ShardConsumer({
      stream,
      shardId,
      consumerName: FunctionRuntime.consumerName(functionName),
      functionName,
      mapping,
      invoker: fn.invoker,
      destination: fn.destination,
      backoff,
      clock,
      log: log.child({ shardId }),
    });
    this.track({ functionName, stop: () => consumer.stop(), shard: { stream: mapping.stream, shardId, consumer } }, consumer.run(), log);
  }

  /** Stops one shard's consumer after its batch in flight finishes (and commits, unless fenced). */
  async stopShard(functionName: string, shardId: string): Promise<void> {
    const index = this.mappings.findIndex((m) => m.functionName === functionName && m.shard?.shardId === shardId);
    if (index < 0) return;
    const [mapping] = this.mappings.splice(index, 1);
    mapping!.stop();
    await mapping!.done;
  }

  private track(mapping: Omit<RunningMapping, "done">, running: Promise<void>, log: Logger): void {
    const done = running.catch((error: unknown) => log.error({ err: error }, "event source mapping stopped with an error"));
    this.mappings.push({ ...mapping, done });
  }

  /** Runs a function once on a JSON event (Lambda's Invoke, RequestResponse). A function error is a
   * result with functionError set, as on AWS; only an unknown function or a bad payload throws. */
  async invokeFunction(name: string, payload: unknown): Promise<InvokeResult> {
    const fn = this.functions.get(name);
    if (!fn) throw new NotFoundError(`function ${JSON.stringify(name)} does not exist`, "function_not_found");
    let event: unknown;
    try {
      // Lambda receives JSON: what JSON cannot carry does not reach the handler.
      event = JSON.parse(JSON.stringify(payload ?? null));
    } catch (error) {
      throw new ValidationError(`the payload is not JSON: ${(error as Error).message}`, "invalid_payload");
    }
    const outcome = await fn.invoker.invokeEvent(event);
    if (outcome.ok) return { requestId: outcome.requestId, executedVersion: "$LATEST", payload: outcome.response };
    this.log.error({ function: name, requestId: outcome.requestId, error: outcome.error }, "invocation failed");
    return { requestId: outcome.requestId, executedVersion: "$LATEST", payload: outcome.error, functionError: "Unhandled" };
  }

  /** Records not yet processed, per stream consumer (`function:<name>`). */
  async lag(): Promise<Record<string, number>> {
    const lag: Record<string, number> = {};
    for (const { functionName, shard } of this.mappings) {
      if (!shard) continue;
      const consumer = FunctionRuntime.consumerName(functionName);
      lag[consumer] = (lag[consumer] ?? 0) + (await this.backends.stream.countAfter(shard.stream, shard.shardId, shard.consumer.committed));
    }
    return lag;
  }

  async stop(): Promise<void> {
    for (const mapping of this.mappings) mapping.stop();
    await Promise.all(this.mappings.map((mapping) => mapping.done));
    this.mappings.length = 0;
    await Promise.all([...this.functions.values()].map((fn) => fn.invoker.close()));
  }
}
