// Reads one shard for one function: read a batch, invoke, commit the checkpoint, repeat. The checkpoint
// moves only after a batch succeeds, so a crash replays at most the batch in flight (sinks are idempotent).
import { setTimeout as sleep } from "node:timers/promises";
import { errorMessage } from "../errors/index.js";
import { functionBatchSeconds, functionErrors, functionRecords, type Logger } from "../monitor/index.js";
import { Wakeup, type StartingPosition, type Stream, type StreamRecord } from "../stream/index.js";
import type { BuiltinFunction, DecodedRecord, MappingOptions } from "./types.js";

const IDLE_POLL_MS = 250;
const MAX_BACKOFF_MS = 5_000;

export class ShardConsumer {
  private stopping = false;
  private readonly wakeup = new Wakeup();
  private readonly unsubscribe: () => void;
  /** the last sequence number committed, for lag */
  committed: string | undefined;

  constructor(
    private readonly stream: Stream,
    private readonly shardId: string,
    private readonly consumerName: string,
    private readonly fn: BuiltinFunction,
    private readonly options: MappingOptions,
    private readonly log: Logger,
  ) {
    this.unsubscribe = stream.onAppend(options.stream, () => this.wakeup.wake());
  }

  /** Runs until stop(); the batch in flight completes and commits before it returns. */
  async run(): Promise<void> {
    this.committed = await this.stream.getCheckpoint(this.consumerName, this.options.stream, this.shardId);
    let position: StartingPosition = this.committed
      ? { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: this.committed }
      : { type: this.options.startingPosition };
    try {
      while (!this.stopping) {
        const read = await this.stream.read(this.options.stream, this.shardId, position, this.options.batchSize);
        if (read.records.length === 0) {
          position = read.next;
          await this.wakeup.sleep(IDLE_POLL_MS);
          continue;
        }
        let records = read.records;
        if (records.length < this.options.batchSize && this.options.maximumBatchingWindowMs > 0 && !this.stopping) {
          await this.wakeup.sleep(this.options.maximumBatchingWindowMs);
          const more = await this.stream.read(this.options.stream, this.shardId, read.next, this.options.batchSize - records.length);
          records = records.concat(more.records);
          position = more.next;
        } else {
          position = read.next;
        }
        await this.process(records);
      }
    } finally {
      this.unsubscribe();
    }
  }

  stop(): void {
    this.stopping = true;
    this.wakeup.wake();
  }

  private async process(records: StreamRecord[]): Promise<void> {
    const decoded: DecodedRecord[] = [];
    for (const record of records) {
      try {
        decoded.push({
          sequenceNumber: record.sequenceNumber,
          partitionKey: record.partitionKey,
          approximateArrivalTimestamp: record.approximateArrivalTimestamp,
          value: JSON.parse(Buffer.from(record.data.buffer, record.data.byteOffset, record.data.byteLength).toString("utf8")),
        });
      } catch (error) {
        // Ingest only appends valid JSON, so this is a foreign producer's record: skip it, loudly.
        functionRecords.inc({ function: this.fn.name, result: "skipped" });
        this.log.warn({ sequenceNumber: record.sequenceNumber, err: errorMessage(error) }, "record is not JSON; skipped");
      }
    }
    const last = records[records.length - 1]!.sequenceNumber;
    const checkpoint = { consumer: this.consumerName, stream: this.options.stream, shardId: this.shardId, sequenceNumber: last };
    // Retry until the batch succeeds: the shard waits rather than skip records (Lambda's default for
    // streams). The attempt bound, bisection and on-failure destinations are mapping options.
    for (let attempt = 0; ; attempt++) {
      const end = functionBatchSeconds.startTimer({ function: this.fn.name });
      try {
        if (decoded.length > 0) {
          await this.fn.handleBatch(decoded, { functionName: this.fn.name, stream: this.options.stream, shardId: this.shardId, checkpoint });
        }
        end();
        break;
      } catch (error) {
        end();
        functionErrors.inc({ function: this.fn.name, error_type: (error as Error)?.name ?? "Error" });
        functionRecords.inc({ function: this.fn.name, result: "error" }, decoded.length);
        const backoffMs = Math.min(MAX_BACKOFF_MS, 100 * 2 ** attempt);
        this.log.error({ err: error, shardId: this.shardId, records: decoded.length, attempt, backoffMs }, "batch failed; retrying");
        if (this.stopping) throw error;
        await sleep(backoffMs);
      }
    }
    await this.stream.setCheckpoint(this.consumerName, this.options.stream, this.shardId, last);
    this.committed = last;
    functionRecords.inc({ function: this.fn.name, result: "ok" }, decoded.length);
  }
}
