// Runs functions over streams: one ShardConsumer per (function, shard). Stop drains: every consumer
// finishes and commits its batch in flight before stop() resolves.
import { componentLogger } from "../monitor/index.js";
import type { Stream } from "../stream/index.js";
import { ShardConsumer } from "./shard-consumer.js";
import type { BuiltinFunction, MappingOptions } from "./types.js";

export interface FunctionDeployment {
  fn: BuiltinFunction<any>;
  mapping: MappingOptions;
}

export class FunctionRuntime {
  private readonly consumers: Array<{ consumer: ShardConsumer; name: string; stream: string; shardId: string; done: Promise<void> }> = [];
  private readonly log = componentLogger("functions");

  constructor(
    private readonly stream: Stream,
    private readonly deployments: FunctionDeployment[],
  ) {}

  static consumerName(functionName: string): string {
    return `function:${functionName}`;
  }

  async start(): Promise<void> {
    for (const { fn, mapping } of this.deployments) {
      const description = await this.stream.describeStream(mapping.stream);
      const name = FunctionRuntime.consumerName(fn.name);
      for (const shard of description.shards) {
        const log = this.log.child({ function: fn.name, shardId: shard.shardId });
        const consumer = new ShardConsumer(this.stream, shard.shardId, name, fn, mapping, log);
        const done = consumer.run().catch((error) => log.error({ err: error }, "shard consumer stopped with an error"));
        this.consumers.push({ consumer, name: fn.name, stream: mapping.stream, shardId: shard.shardId, done });
      }
    }
  }

  /** Records not yet processed, per consumer (`function:<name>`). */
  async lag(): Promise<Record<string, number>> {
    const lag: Record<string, number> = {};
    for (const c of this.consumers) {
      const consumer = FunctionRuntime.consumerName(c.name);
      lag[consumer] = (lag[consumer] ?? 0) + (await this.stream.countAfter(c.stream, c.shardId, c.consumer.committed));
    }
    return lag;
  }

  async stop(): Promise<void> {
    for (const c of this.consumers) c.consumer.stop();
    await Promise.all(this.consumers.map((c) => c.done));
    this.consumers.length = 0;
  }
}
