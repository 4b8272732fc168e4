// Runs functions over streams: one ShardConsumer per (function, shard). Stop drains: every consumer
// finishes and commits its batch in flight before stop() resolves.
import { componentLogger, streamLag } from "../monitor/index.js";
import type { Stream } from "../stream/index.js";
import { ShardConsumer } from "./shard-consumer.js";
import type { BuiltinFunction, MappingOptions } from "./types.js";

export interface FunctionDeployment {
  fn: BuiltinFunction<any>;
  mapping: MappingOptions;
}

export class FunctionRuntime {
  private readonly consumers: Array<{ consumer: ShardConsumer; name: string; stream: string; shardId: string; done: Promise<void> }> = [];
  private lagTimer: NodeJS.Timeout | undefined;
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
    this.lagTimer = setInterval(() => void this.updateLag(), 1000);
    this.lagTimer.unref();
  }

  /** Records not yet processed, per function. */
  async lag(): Promise<Record<string, number>> {
    const lag: Record<string, number> = {};
    for (const c of this.consumers) {
      lag[c.name] = (lag[c.name] ?? 0) + (await this.stream.countAfter(c.stream, c.shardId, c.consumer.committed));
    }
    return lag;
  }

  private async updateLag(): Promise<void> {
    try {
      for (const [name, records] of Object.entries(await this.lag())) {
        streamLag.set({ consumer: FunctionRuntime.consumerName(name) }, records);
      }
    } catch (error) {
      this.log.warn({ err: error }, "lag update failed");
    }
  }

  async stop(): Promise<void> {
    if (this.lagTimer) clearInterval(this.lagTimer);
    for (const c of this.consumers) c.consumer.stop();
    await Promise.all(this.consumers.map((c) => c.done));
    await this.updateLag();
    this.consumers.length = 0;
  }
}
