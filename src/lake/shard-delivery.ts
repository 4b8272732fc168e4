// Delivers one shard to the lake: read, buffer, and when a buffering hint is reached convert, publish and
// only then commit the checkpoint. While one buffer is being converted the next one fills (at most one
// flush in flight, so checkpoints commit in order and memory stays bounded by two buffers). A stream that
// reads in blocks (Stream.readBlock) is read that way: no object per record, which took the JavaScript
// thread from the bottleneck of a backlog (measured: 4.5 µs a record read and staged) to about 2 µs.
import { mkdir, rm, unlink } from "node:fs/promises";
import { setImmediate as yieldToEventLoop, setTimeout as sleep } from "node:timers/promises";
import { errorMessage } from "../errors/index.js";
import { countError, countReceived, countSent, lakeErrors, lakeFiles, lakeFlushSeconds, lakeLastDelivery, lakeRecords, setIteratorAge, timeOperation, type Logger } from "../monitor/index.js";
import { Wakeup, type ReadResult, type RecordBlock, type StartingPosition, type Stream } from "../stream/index.js";
import type { BatchConverter } from "./batch-converter.js";
import { planErrorOutputs } from "./batch-outputs.js";
import type { ResolvedDeliveryStream } from "./delivery-stream.js";
import type { ObjectStore } from "./object-store.js";
import type { PublishedThrough } from "./published-index.js";
import type { QualityTracker } from "./quality-report.js";
import { ShardBatch } from "./shard-batch.js";
import type { StagingBudget } from "./staging-budget.js";

export interface ShardDeliveryOptions {
  stream: Stream;
  delivery: ResolvedDeliveryStream;
  shardId: string;
  consumerName: string;
  store: ObjectStore;
  converter: BatchConverter;
  quality: QualityTracker;
  /** this shard's own scratch directory */
  stagingDir: string;
  /** shared by the shards of the delivery stream */
  budget: StagingBudget;
  /** where to start without a checkpoint */
  startingPosition: "TRIM_HORIZON" | "LATEST";
  checkpoint: string | undefined;
  publishedThrough: PublishedThrough;
  log: Logger;
}

/** Without an append notification (a producer in another process), the shard is polled this often. */
const IDLE_POLL_MS = 250;
const MAX_BACKOFF_MS = 5_000;
/** Longest stretch of staging between two turns of the event loop. */
const TIME_SLICE_MS = 4;

export class ShardDelivery {
  /** the last sequence number whose records are all in the lake */
  committed: string | undefined;
  /** records read and published (or sent to the error prefix) since start */
  recordsDelivered = 0;
  /** records read but not yet delivered: buffered, or in the flush in flight */
  recordsBuffered = 0;
  private stopping = false;
  private flushOnStop = true;
  private flushWaiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  private readonly wakeup = new Wakeup();
  private inFlight: Promise<void> | undefined;
  /** a flush is converting or publishing */
  private flushing = false;
  private readonly unsubscribe: () => void;
  private readonly unsubscribeBudget: () => void;
  /** bytes of records this shard holds in the budget: its buffer and its flush in flight */
  private heldBytes = 0;
  /** staged bytes of the last batch that reached the buffer size hint, while batches keep filling up */
  private fullBatchBytes: number | undefined;
  private readonly turn: ReadTurn;
  /** the staging buffer of the last delivered batch, while a backlog lasts */
  private spareBuffer: Buffer | undefined;

  get shardId(): string {
    return this.options.shardId;
  }

  constructor(private readonly options: ShardDeliveryOptions) {
    this.committed = options.checkpoint;
    this.turn = readTurnOf(options.delivery);
    this.unsubscribe = options.stream.onAppend(options.delivery.config.source, () => this.wakeup.wake());
    this.unsubscribeBudget = options.budget.onRelease(() => this.wakeup.wake());
  }

  /** Runs until stop(); then flushes (unless told not to) and waits for the flush in flight. */
  async run(): Promise<void> {
    const { stream, shardId } = this.options;
    const { source: streamName, readBatchSize, bufferSizeBytes, bufferIntervalMs } = this.options.delivery.config;
    await rm(this.options.stagingDir, { recursive: true, force: true });
    await mkdir(this.options.stagingDir, { recursive: true });
    let position: StartingPosition = this.committed
      ? { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: this.committed }
      : { type: this.options.startingPosition };
    let batch = this.newBatch();
    // Read in blocks when the stream can (no object per record), else record by record.
    const readBlock = stream.readBlock?.bind(stream);
    const turn = this.turn;
    try {
      for (let failures = 0; !this.stopping; ) {
        if (this.flushing && this.options.budget.exceeded) {
          // The shards hold their budget (staging-budget.ts): read nothing more until this shard's flush
          // ends or another frees some; either wakes the shard.
          turn.release(this);
          await this.wakeup.sleep(IDLE_POLL_MS);
          continue;
        }
        await turn.take(this);
        if (this.stopping) break;
        // Only a read that starts after flush() was called can have seen the records appended before it.
        const waitersBeforeRead = this.flushWaiters.length;
        let read: ReadResult | RecordBlock;
        try {
          read = readBlock ? await readBlock(streamName, shardId, position, readBatchSize) : await stream.read(streamName, shardId, position, readBatchSize);
          position = read.next;
          failures = 0;
        } catch (error) {
          failures++;
          turn.release(this);
          this.options.log.error({ err: errorMessage(error), shardId, failures }, "stream read failed; retrying");
          await this.idle(Math.min(MAX_BACKOFF_MS, 100 * 2 ** failures));
          continue;
        }
        // Held before they are staged: a flush started while staging them may end, and give its bytes back, first.
        this.hold("records" in read ? read.records.reduce((sum, record) => sum + record.data.byteLength, 0) : (read.dataEnds[read.count - 1] ?? 0));
        const nowMs = Date.now();
        let readCount: number;
        if ("records" in read) {
          const { records } = read;
          readCount = records.length;
          countReceived(this.options.consumerName, readCount);
          setIteratorAge(this.options.consumerName, streamName, shardId, records.at(-1)?.approximateArrivalTimestamp);
          let sliceStartMs = performance.now();
          for (const record of records) {
            batch.add(record, nowMs);
            this.recordsBuffered++;
            if (batch.bytes >= bufferSizeBytes) batch = await this.startFlush(batch);
            // A stream that answers reads synchronously would keep the event loop to itself while a backlog
            // lasts, and the flush in flight (each DuckDB statement, each file write) would only progress
            // between reads. Yielding every few ms lets conversion and parsing overlap.
            if (performance.now() - sliceStartMs >= TIME_SLICE_MS) {
              await yieldToEventLoop();
              sliceStartMs = performance.now();
            }
          }
        } else {
          // A block is staged in one go: a few byte copies per record, well within a time slice.
          readCount = read.count;
          // A full read into an empty buffer: a backlog, so the buffer will fill up. Its room is made at once
          // rather than by doublings, each a copy of everything staged so far.
          if (batch.isEmpty && readCount === readBatchSize) batch.sizeForFullBuffer((read.dataEnds[readCount - 1] ?? 0) / readCount);
          countReceived(this.options.consumerName, readCount);
          setIteratorAge(this.options.consumerName, streamName, shardId, readCount > 0 ? read.arrivalTimestamps[readCount - 1] : undefined);
          for (let from = 0; from < readCount; ) {
            const before = batch.recordCount;
            from = batch.addBlock(read, from, nowMs, bufferSizeBytes);
            this.recordsBuffered += batch.recordCount - before;
            if (batch.bytes >= bufferSizeBytes) batch = await this.startFlush(batch);
          }
        }
        const caughtUp = readCount < readBatchSize;
        if (caughtUp) turn.release(this);
        await yieldToEventLoop();
        if (caughtUp && waitersBeforeRead > 0) {
          batch = await this.flushEverything(batch, waitersBeforeRead);
          continue;
        }
        // A buffer past its interval waits while the previous flush is still running, and goes on filling
        // (up to the size hint) instead of holding up the reads: when flushes are slower than the interval
        // (a busy machine), buffers grow and each flush's fixed cost is spread over more records, rather
        // than the shard reading one interval's records per flush and falling behind.
        const due = batch.startedAtMs !== undefined && nowMs - batch.startedAtMs >= bufferIntervalMs;
        if (due && !this.flushing) batch = await this.startFlush(batch);
        if (caughtUp) {
          const untilDueMs = batch.startedAtMs === undefined ? IDLE_POLL_MS : batch.startedAtMs + bufferIntervalMs - Date.now();
          // Overdue behind a running flush: its end (or an append) wakes the shard.
          await this.idle(this.flushing && untilDueMs <= 0 ? IDLE_POLL_MS : Math.max(0, Math.min(IDLE_POLL_MS, untilDueMs)));
        }
      }
      if (this.flushOnStop) batch = await this.flushEverything(batch);
      else await this.inFlight;
    } finally {
      turn.release(this);
      this.unsubscribe();
      this.unsubscribeBudget();
      this.options.budget.release(this.heldBytes);
      this.heldBytes = 0;
      for (const waiter of this.flushWaiters.splice(0)) waiter.reject(new Error(`lake delivery of ${shardId} stopped before the flush`));
      await rm(this.options.stagingDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /**
   * Stops reading. With `flush` (the default) the buffered records are delivered and committed first; without
   * it they are dropped uncommitted, as a crash would leave them, to be re-read on the next start.
   */
  stop(flush = true): void {
    this.stopping = true;
    this.flushOnStop = flush;
    this.wakeup.wake();
  }

  /** Resolves once every record appended before the call is in the lake and checkpointed. */
  flush(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.flushWaiters.push({ resolve, reject });
      this.wakeup.wake();
    });
  }

  /**
   * A batch sized like the last one that filled up: while a backlog lasts, its buffer never grows by
   * copying, and it is the buffer of the batch delivered before (recycle()).
   */
  private newBatch(previous?: ShardBatch): ShardBatch {
    const { source, bufferSizeBytes } = this.options.delivery.config;
    if (previous && previous.bytes >= bufferSizeBytes) this.fullBatchBytes = previous.lines.bytes().byteLength;
    else if (previous) this.fullBatchBytes = undefined;
    const recycled = this.spareBuffer;
    this.spareBuffer = undefined;
    return new ShardBatch(source, this.options.shardId, this.options.converter.layout, this.fullBatchBytes && Math.ceil(this.fullBatchBytes * 1.05), recycled, bufferSizeBytes);
  }

  /**
   * Keeps a delivered batch's staging buffer for the next batch while a backlog lasts (the batch filled
   * up); otherwise lets it go, so an idle shard holds no large buffer.
   */
  private recycle(batch: ShardBatch): void {
    this.spareBuffer = batch.bytes >= this.options.delivery.config.bufferSizeBytes ? batch.lines.release() : undefined;
  }

  /** Hands `batch` to the flush pipeline (after the flush in flight) and returns a fresh batch. */
  private async startFlush(batch: ShardBatch): Promise<ShardBatch> {
    if (batch.isEmpty) return batch;
    // A full buffer hands the reading turn on, and waiting for the flush before holds no other shard up.
    this.turn.release(this);
    await this.inFlight;
    this.flushing = true;
    const flight = this.deliver(batch).finally(() => {
      this.flushing = false;
      this.wakeup.wake();
    });
    // Awaited by the next flush; the no-op catch only keeps a failure from being reported as unhandled.
    flight.catch(() => undefined);
    this.inFlight = flight;
    return this.newBatch(batch);
  }

  /** Delivers `batch` and everything before it, then resolves the first `waiterCount` flush() calls (default: all). */
  private async flushEverything(batch: ShardBatch, waiterCount = this.flushWaiters.length): Promise<ShardBatch> {
    const waiters = this.flushWaiters.splice(0, waiterCount);
    try {
      const next = await this.startFlush(batch);
      await this.inFlight;
      for (const waiter of waiters) waiter.resolve();
      return next;
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
      throw error;
    }
  }

  /** Converts and publishes a batch, then commits its checkpoint; retries until both succeed. */
  private async deliver(batch: ShardBatch): Promise<void> {
    const { stream, delivery, shardId, consumerName, log } = this.options;
    const endTimer = lakeFlushSeconds.startTimer();
    const endOperation = timeOperation(consumerName, "flush");
    const last = batch.range.lastSequenceNumber;
    for (let attempt = 0; ; attempt++) {
      try {
        // Publishing again after a failed checkpoint rewrites the same keys with the same rows.
        await this.publish(batch);
        await stream.setCheckpoint(consumerName, delivery.config.source, shardId, last);
        break;
      } catch (error) {
        countError(consumerName, "flush_failed", "sending");
        if (this.stopping) throw error;
        const backoffMs = Math.min(MAX_BACKOFF_MS, 100 * 2 ** attempt);
        log.error({ err: errorMessage(error), shardId, records: batch.recordCount, attempt, backoffMs }, "lake flush failed; retrying");
        await sleep(backoffMs);
      }
    }
    this.committed = last;
    this.recycle(batch);
    this.heldBytes -= batch.bytes;
    this.options.budget.release(batch.bytes);
    this.recordsDelivered += batch.recordCount;
    countSent(consumerName, batch.recordCount);
    endOperation();
    this.recordsBuffered -= batch.recordCount;
    endTimer();
  }

  private async publish(batch: ShardBatch): Promise<void> {
    const { store, converter, delivery, stagingDir, publishedThrough, quality } = this.options;
    const converted = await converter.convert(batch, stagingDir, publishedThrough);
    try {
      // allSettled: the staging files are removed below, and not while a put is still reading one.
      await settleAll(converted.outputs.map((output) => store.putFile(output.key, output.path, { removeSource: true })));
      const errorOutputs = planErrorOutputs(delivery, batch, [...batch.refused, ...converted.refused], publishedThrough);
      await settleAll(errorOutputs.map((output) => store.put(output.key, Buffer.from(`${output.lines.join("\n")}\n`))));
      // Counted once everything is published, so a retried flush is not counted twice. An NDJSON zone
      // counts its records under its delivery stream's name.
      for (const output of converted.outputs) {
        const table = output.table?.table.name ?? delivery.name;
        lakeFiles.inc({ table });
        lakeRecords.inc({ table }, output.rows);
        lakeLastDelivery.set({ table }, Date.now() / 1000);
      }
      for (const output of errorOutputs) lakeErrors.inc({ error_type: output.errorType }, output.lines.length);
      for (const output of errorOutputs) countError(this.options.consumerName, output.errorType, "processing", output.lines.length);
      quality.record(converted.expectations, Date.now());
    } finally {
      await Promise.all(converted.stagedPaths.map((path) => unlink(path).catch(() => undefined)));
    }
  }

  private hold(bytes: number): void {
    this.heldBytes += bytes;
    this.options.budget.hold(bytes);
  }

  private async idle(ms: number): Promise<void> {
    if (this.stopping || this.flushWaiters.length > 0) return;
    await this.wakeup.sleep(ms);
  }
}

/**
 * Which shard of a delivery stream reads: one at a time, each until it starts a flush or is caught up.
 * While a backlog lasts, shards that read side by side would all fill their buffers at once, and DuckDB
 * would wait idle for every shard's first buffer; in turns, the first conversion starts after one buffer
 * (measured on 4 shards and 2 cores: about 1.3× the throughput). A caught-up shard gives the turn back after
 * each read, so live records wait at most one buffer's staging of a backlogged shard.
 */
class ReadTurn {
  private owner: ShardDelivery | undefined;
  private readonly waiting: Array<{ shard: ShardDelivery; resolve: () => void }> = [];

  async take(shard: ShardDelivery): Promise<void> {
    if (this.owner === undefined) this.owner = shard;
    if (this.owner === shard) return;
    await new Promise<void>((resolve) => this.waiting.push({ shard, resolve }));
  }

  release(shard: ShardDelivery): void {
    if (this.owner !== shard) return;
    const next = this.waiting.shift();
    this.owner = next?.shard;
    next?.resolve();
  }
}

/** One turn per delivery stream: its shards share the resolved config. */
const readTurns = new WeakMap<ResolvedDeliveryStream, ReadTurn>();

function readTurnOf(delivery: ResolvedDeliveryStream): ReadTurn {
  let turn = readTurns.get(delivery);
  if (!turn) readTurns.set(delivery, (turn = new ReadTurn()));
  return turn;
}

/** Waits for every promise, then fails with the first failure, if any. */
async function settleAll(promises: ReadonlyArray<Promise<unknown>>): Promise<void> {
  const failure = (await Promise.allSettled(promises)).find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failure) throw failure.reason;
}
