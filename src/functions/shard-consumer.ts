// A Kinesis-style event source mapping for one shard: reads records in order, deals them to
// parallelizationFactor lanes by partition key, and commits the checkpoint as far as every earlier record
// is done (succeeded or discarded). It reads at most one batch ahead of what is in flight, so a slow
// function slows its reads and the backlog waits in the durable stream. A crash replays at most the
// records in flight; sinks are idempotent.
import { errorMessage } from "../errors/index.js";
import { componentId, setIteratorAge, type Logger } from "../monitor/index.js";
import { Wakeup, type ReadResult, type StartingPosition, type Stream, type StreamRecord } from "../stream/index.js";
import { CheckpointTracker } from "./checkpoint-tracker.js";
import type { FailureDestination } from "./failure-destination.js";
import type { FunctionInvoker } from "./invoker.js";
import { backoffMs, pause, type RetryBackoff } from "./retry-backoff.js";
import { laneOf, ShardLane } from "./shard-lane.js";
import { StreamBatchProcessor, type TrackedRecord } from "./stream-batch-processor.js";
import type { StreamMappingOptions } from "./types.js";

const IDLE_POLL_MS = 250;
/** the most records one read returns (Kinesis GetRecords) */
const MAX_READ_RECORDS = 10_000;

export interface ShardConsumerOptions {
  stream: Stream;
  shardId: string;
  /** whose checkpoint this is: `function:<name>` */
  consumerName: string;
  functionName: string;
  mapping: StreamMappingOptions;
  invoker: FunctionInvoker;
  destination: FailureDestination | undefined;
  backoff: RetryBackoff;
  clock: () => number;
  log: Logger;
}

/**
 * stream.read(), through readBlock() where the stream has it: one query and one buffer for the records,
 * each record's data a view into it (about half the CPU of a row per record, measured on SQLite).
 */
async function readRecords(stream: Stream, name: string, shardId: string, position: StartingPosition, limit: number): Promise<ReadResult> {
  if (stream.readBlock === undefined) return stream.read(name, shardId, position, limit);
  const block = await stream.readBlock(name, shardId, position, limit);
  const records = new Array<StreamRecord>(block.count);
  for (let k = 0; k < block.count; k++) {
    records[k] = {
      shardId,
      sequenceNumber: block.sequenceNumberOf(block.sequenceCounters[k]!),
      partitionKey: block.partitionKeys.toString("utf8", k === 0 ? 0 : block.partitionKeyEnds[k - 1], block.partitionKeyEnds[k]),
      data: block.data.subarray(k === 0 ? 0 : block.dataEnds[k - 1], block.dataEnds[k]),
      approximateArrivalTimestamp: block.arrivalTimestamps[k]!,
    };
  }
  return { records, next: block.next, millisBehindLatest: block.millisBehindLatest };
}

export class ShardConsumer {
  /** the last sequence number committed, for lag */
  committed: string | undefined;
  private readonly stopped = new AbortController();
  private readonly wakeup = new Wakeup();
  private readonly tracker = new CheckpointTracker();
  private commits: Promise<void> = Promise.resolve();

  constructor(private readonly options: ShardConsumerOptions) {}

  /** Runs until stop(); batches in flight finish and commit before it returns. */
  async run(): Promise<void> {
    const { stream, mapping, shardId, consumerName } = this.options;
    const unsubscribe = stream.onAppend(mapping.stream, () => this.wakeup.wake());
    const processor = new StreamBatchProcessor({ ...this.options, signal: this.stopped.signal });
    const settle = (records: TrackedRecord[]) => this.settle(records);
    const lanes = Array.from({ length: mapping.parallelizationFactor }, () => new ShardLane(mapping, processor, settle));
    const lanesDone = Promise.all(lanes.map((lane) => lane.run()));
    try {
      this.committed = await stream.getCheckpoint(consumerName, mapping.stream, shardId);
      let position: StartingPosition = this.committed
        ? { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: this.committed }
        : mapping.startingPosition;
      const readAheadRecords = (mapping.parallelizationFactor + 1) * mapping.batchSize;
      for (let readFailures = 0; !this.stopped.signal.aborted; ) {
        const room = readAheadRecords - this.tracker.pending;
        if (room <= 0) {
          await this.wakeup.sleep(IDLE_POLL_MS);
          continue;
        }
        let read;
        try {
          read = await readRecords(stream, mapping.stream, shardId, position, Math.min(room, MAX_READ_RECORDS));
          readFailures = 0;
        } catch (error) {
          const waitMs = backoffMs(this.options.backoff, readFailures++);
          this.options.log.error({ err: errorMessage(error), waitMs }, "stream read failed; retrying");
          await pause(waitMs, this.stopped.signal);
          continue;
        }
        position = read.next;
        setIteratorAge(componentId.function(this.options.functionName), mapping.stream, shardId, read.records.at(-1)?.approximateArrivalTimestamp);
        if (read.records.length === 0) {
          // A new LATEST or AT_TIMESTAMP mapping pins where it started: a restart resumes there rather than
          // at a later tip, and lag counts from there.
          const unpinned = this.committed === undefined && this.tracker.pending === 0 && mapping.startingPosition.type !== "TRIM_HORIZON";
          if (unpinned && position.type === "AFTER_SEQUENCE_NUMBER") await this.commit(position.sequenceNumber);
          await this.wakeup.sleep(IDLE_POLL_MS);
          continue;
        }
        const first = this.tracker.add(read.records.map((record) => record.sequenceNumber));
        for (const [i, record] of read.records.entries()) {
          lanes[laneOf(record.partitionKey, lanes.length)]!.push({ ordinal: first + i, record });
        }
      }
    } finally {
      for (const lane of lanes) lane.stop();
      await lanesDone;
      await this.commits;
      unsubscribe();
    }
  }

  stop(): void {
    this.stopped.abort();
    this.wakeup.wake();
  }

  private async settle(records: TrackedRecord[]): Promise<void> {
    for (const { ordinal } of records) this.tracker.markDone(ordinal);
    const sequenceNumber = this.tracker.advance();
    if (sequenceNumber !== undefined) await this.commit(sequenceNumber);
    this.wakeup.wake(); // the reader may have been waiting for room
  }

  /** Commits run one after another, so that a slow write never lands after a newer one. */
  private commit(sequenceNumber: string): Promise<void> {
    const { stream, consumerName, mapping, shardId, log } = this.options;
    this.commits = this.commits
      .then(() => stream.setCheckpoint(consumerName, mapping.stream, shardId, sequenceNumber))
      .then(
        () => void (this.committed = sequenceNumber),
        // The next commit writes a newer checkpoint; until then a restart replays a little more.
        (error) => log.error({ err: errorMessage(error), sequenceNumber }, "checkpoint commit failed"),
      );
    return this.commits;
  }
}
