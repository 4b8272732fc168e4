// A Kinesis-style event source mapping for one shard: reads records in order, deals them to
// parallelizationFactor lanes by partition key, and commits the checkpoint as far as every earlier record
// is done (succeeded or discarded). It reads at most one batch ahead of what is in flight, so a slow
// function slows its reads and the backlog waits in the durable stream. A crash replays at most the
// records in flight; sinks are idempotent.
//
// A function that appends its output with its checkpoint (enrich, the orders function's derived events)
// must see the same batch again after a crash, or its output would be appended twice: on SQLite the
// append and the checkpoint commit together, but JetStream publishes first and checkpoints after, and
// drops a republished message only when its id (derived from the batch's last input record) repeats. So
// on such a backend each batch's last sequence number is noted before the batch runs (the batch intent,
// beside the checkpoint), and a restart that finds one past the checkpoint replays exactly that batch
// first, however many more records have arrived since.
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { errorMessage } from "../errors/index.js";
import { componentId, setIteratorAge, type Logger } from "../monitor/index.js";
import { compareSequenceNumbers, Wakeup, type ReadResult, type StartingPosition, type Stream, type StreamRecord } from "../stream/index.js";
import { CheckpointTracker } from "./checkpoint-tracker.js";
import type { FailureDestination } from "./failure-destination.js";
import type { FunctionInvoker } from "./invoker.js";
import { backoffMs, pause, type RetryBackoff } from "./retry-backoff.js";
import { laneOf, ShardLane } from "./shard-lane.js";
import { StreamBatchProcessor, type TrackedRecord } from "./stream-batch-processor.js";
import type { StreamMappingOptions } from "./types.js";

const IDLE_POLL_MS = 250;
/** Where a mapping notes its batch intent, beside its own checkpoint. */
const BATCH_INTENT_SUFFIX = "#batch";
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
    // One lane only: with more, batches run side by side and no function commits its output with them.
    const notesIntents = stream.backend !== "sqlite" && mapping.parallelizationFactor === 1;
    const intentConsumer = `${consumerName}${BATCH_INTENT_SUFFIX}`;
    const lanesProcessor: Pick<StreamBatchProcessor, "process"> = notesIntents
      ? {
          process: async (batch, settleBatch) => {
            await this.noteIntent(intentConsumer, batch.at(-1)!.record.sequenceNumber);
            return processor.process(batch, settleBatch);
          },
        }
      : processor;
    const lanes = Array.from({ length: mapping.parallelizationFactor }, () => new ShardLane(mapping, lanesProcessor, settle));
    const lanesDone = Promise.all(lanes.map((lane) => lane.run()));
    try {
      this.committed = await stream.getCheckpoint(consumerName, mapping.stream, shardId);
      let position: StartingPosition = this.committed
        ? { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: this.committed }
        : mapping.startingPosition;
      if (notesIntents && this.committed !== undefined) {
        const intent = await stream.getCheckpoint(intentConsumer, mapping.stream, shardId);
        if (intent !== undefined && compareSequenceNumbers(intent, this.committed) > 0) position = await this.replayIntent(position, intent, lanes[0]!);
      }
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
        // A read resolves at once on SQLite: a turn of the event loop between reads (see ShardLane.run).
        await yieldToEventLoop();
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

  /** Notes the last sequence number of the batch about to run; retried until it is durable or the mapping stops. */
  private async noteIntent(intentConsumer: string, sequenceNumber: string): Promise<void> {
    const { stream, mapping, shardId, log } = this.options;
    for (let failures = 0; !this.stopped.signal.aborted; failures++) {
      try {
        await stream.setCheckpoint(intentConsumer, mapping.stream, shardId, sequenceNumber);
        return;
      } catch (error) {
        const waitMs = backoffMs(this.options.backoff, failures);
        log.error({ err: errorMessage(error), waitMs }, "noting the batch intent failed; retrying");
        await pause(waitMs, this.stopped.signal);
      }
    }
  }

  /**
   * Reads the records after the checkpoint through `intent` (the batch that was running when the last
   * owner stopped), runs them as one batch and waits for it to settle; returns where reading goes on.
   */
  private async replayIntent(position: StartingPosition, intent: string, lane: ShardLane): Promise<StartingPosition> {
    const { stream, mapping, shardId, log } = this.options;
    const records: StreamRecord[] = [];
    let next = position;
    for (let failures = 0; !this.stopped.signal.aborted; ) {
      let read: ReadResult;
      try {
        read = await readRecords(stream, mapping.stream, shardId, next, mapping.batchSize);
        failures = 0;
      } catch (error) {
        const waitMs = backoffMs(this.options.backoff, failures++);
        log.error({ err: errorMessage(error), waitMs }, "stream read failed while replaying the batch intent; retrying");
        await pause(waitMs, this.stopped.signal);
        continue;
      }
      const within = read.records.filter((record) => compareSequenceNumbers(record.sequenceNumber, intent) <= 0);
      records.push(...within);
      if (within.length < read.records.length || read.records.length === 0) {
        // Past the intent (or the shard ends before it: its records were trimmed): stop right after it.
        next = within.length > 0 ? { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: within.at(-1)!.sequenceNumber } : next;
        break;
      }
      next = read.next;
      if (compareSequenceNumbers(records.at(-1)!.sequenceNumber, intent) >= 0) break;
    }
    if (records.length === 0 || this.stopped.signal.aborted) return next;
    log.info({ shardId, records: records.length, through: intent }, "replaying the batch that was running when the shard last stopped");
    // Pushed together, they are one batch: the lane starts only after this synchronous loop.
    const first = this.tracker.add(records.map((record) => record.sequenceNumber));
    for (const [i, record] of records.entries()) lane.push({ ordinal: first + i, record });
    while (this.tracker.pending > 0 && !this.stopped.signal.aborted) await this.wakeup.sleep(IDLE_POLL_MS);
    return next;
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
