// Housekeeping of the built-in functions' bookkeeping in the serving store. Three tables would otherwise
// grow for ever: the idempotency claims (processed_events: orders, customers and fraud), the orders
// function's stock-level rows (stock_levels) and payments waiting for their order (early_payments). A
// worker prunes them periodically, next to the streams' retention trim; why each deletion is safe is
// written beside it.
import { componentId, componentLogger, countDiscarded, storePrunedRows, type Logger } from "../../monitor/index.js";
import { deleteOlderThan, type ServingStore, type StoreHousekeepingConfig } from "../../store/index.js";
import type { Stream } from "../../stream/index.js";

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const ORDERS = componentId.function("orders");

export interface PrunedRows {
  processedEvents: number;
  stockLevels: number;
  /** payments dropped because their order never came */
  earlyPayments: number;
}

export interface PruneCutoffs {
  /** claims and stock-level rows made before this can no longer be consulted (redeliveryHorizonMs) */
  redeliveredBeforeMs: number;
  /** payments processed before this whose order has not come are dropped */
  earlyPaymentsBeforeMs: number;
  /** rows per DELETE statement */
  chunkRows: number;
  /** stops the deletes between chunks */
  signal?: AbortSignal;
}

/**
 * How long after a function first processed an event a record carrying that event can still reach it:
 * the sum of the streams' retention, plus the margin.
 *
 * A claim in processed_events is what makes a function skip an event it already applied, and it is
 * consulted only when a record carrying the event reaches the function again: the same record read
 * again (a crash or a lost lease before the checkpoint moved past it, a checkpoint reset), or a copy in
 * another record that a function upstream appended twice (enrich on JetStream publishes its output
 * again when its retry comes after the duplicate window, docs/backends.md). Each needs a record that is
 * still in its stream: a stream trims a record once it is older than its retention (SQLite's trim,
 * JetStream's max_age, both in trimExpired), and no read returns it after that. The claim is written
 * when the event is first processed, after its record arrived; a copy appended later is made from a
 * record upstream that arrived before that and was still retained, so it arrives at most that stream's
 * retention later, and so on up the chain. Each stream appears in a chain once, so the sum of all
 * streams' retentions bounds how long after the claim any copy can still be read. The margin covers
 * batches in flight and clocks that disagree between nodes (claims are stamped by the worker's clock,
 * arrivals by the stream's).
 *
 * Not covered: a producer that re-sends an event later than this. Its copy is a new record with no claim
 * left, and is applied again; within the horizon it is still recognised as a duplicate.
 */
export function redeliveryHorizonMs(retentionHours: readonly number[], safetyMarginMs: number): number {
  return retentionHours.reduce((sum, hours) => sum + hours * HOUR_MS, 0) + safetyMarginMs;
}

/** Deletes what the cutoffs allow from the three tables, in chunks; returns how many rows of each. */
export async function pruneBookkeeping(store: ServingStore, cutoffs: PruneCutoffs): Promise<PrunedRows> {
  const { chunkRows, signal } = cutoffs;
  // processed_events.processed_at is the worker's clock when the event was first processed (a replay's
  // claim conflicts and keeps it). Past the horizon no record can carry the event to the function again.
  const processedEvents = await deleteOlderThan(store, { table: "processed_events", timeColumn: "processed_at", beforeMs: cutoffs.redeliveredBeforeMs, chunkRows }, signal);
  // stock_levels: the orders function reads its rows back only for the records of the batch it is
  // handling (derived-events.ts), to append their stock_level events with its checkpoint, and finds a
  // row only through the record that made it (event_id and sequence number). So a row matters only
  // while that record can be read again from the orders function's source stream, whose retention is
  // one term of the horizon; created_at is the worker's clock when the batch ran, after the record arrived. No API
  // reads the table as history: the history is the lake's stock_levels table, fed by the appended events.
  const stockLevels = await deleteOlderThan(store, { table: "stock_levels", timeColumn: "created_at", beforeMs: cutoffs.redeliveredBeforeMs, chunkRows }, signal);
  // early_payments: a payment whose order never arrives (lost upstream, or placed before the pipeline
  // ran) would wait for ever. Dropping it is a policy, not a proof: should the order still come, it is
  // placed as if the payment had not (its units stay reserved). The payment's claim is separate, so a
  // redelivered payment is still a duplicate and is not remembered again. Every dropped row is counted.
  const earlyPayments = await deleteOlderThan(store, { table: "early_payments", timeColumn: "received_at", beforeMs: cutoffs.earlyPaymentsBeforeMs, chunkRows }, signal);
  return { processedEvents, stockLevels, earlyPayments };
}

export interface StoreHousekeepingOptions {
  store: ServingStore;
  /** the pipeline's streams: their retention bounds redelivery, and they are trimmed before each pass */
  stream: Stream;
  config: Pick<StoreHousekeepingConfig, "safetyMarginMinutes" | "earlyPaymentMaxAgeHours" | "deleteChunkRows">;
  /** wall clock in ms; tests move it */
  clock?: () => number;
  log?: Logger;
}

/** The periodic pass: trims the streams, works out the cutoffs, prunes, and reports what it deleted. */
export class StoreHousekeeping {
  private readonly clock: () => number;
  private readonly log: Logger;
  private running: Promise<PrunedRows> | undefined;
  private readonly stopping = new AbortController();

  constructor(private readonly options: StoreHousekeepingOptions) {
    this.clock = options.clock ?? Date.now;
    this.log = options.log ?? componentLogger("housekeeping");
    // The series exist at 0 from the start, so an alarm on them sees 0 rather than missing data.
    for (const table of ["processed_events", "stock_levels", "early_payments"]) storePrunedRows.inc({ table }, 0);
  }

  /** One pass; a call while a pass is still running (a large backlog) gets that pass. */
  run(): Promise<PrunedRows> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops a pass in progress after its current chunk, and waits for it; later passes delete nothing. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running?.catch(() => undefined);
  }

  private async pass(): Promise<PrunedRows> {
    const { store, stream, config } = this.options;
    const nowMs = this.clock();
    // Trimmed first, on the same clock: when claims go, no record older than its stream's retention can
    // still be read, even if the periodic trim has not run for a while. A trim that fails stops the pass.
    await stream.trimExpired(nowMs);
    const retentionHours = await Promise.all((await stream.listStreams()).map(async (name) => (await stream.describeStream(name)).retentionHours));
    const horizonMs = redeliveryHorizonMs(retentionHours, config.safetyMarginMinutes * MINUTE_MS);
    const pruned = await pruneBookkeeping(store, {
      redeliveredBeforeMs: nowMs - horizonMs,
      earlyPaymentsBeforeMs: nowMs - config.earlyPaymentMaxAgeHours * HOUR_MS,
      chunkRows: config.deleteChunkRows,
      signal: this.stopping.signal,
    });
    this.report(pruned, horizonMs);
    return pruned;
  }

  private report(pruned: PrunedRows, horizonMs: number): void {
    storePrunedRows.inc({ table: "processed_events" }, pruned.processedEvents);
    storePrunedRows.inc({ table: "stock_levels" }, pruned.stockLevels);
    storePrunedRows.inc({ table: "early_payments" }, pruned.earlyPayments);
    // A dropped payment is an effect that never applied: a discard of the orders function, by policy.
    countDiscarded(ORDERS, "early_payment_expired", pruned.earlyPayments);
    const total = pruned.processedEvents + pruned.stockLevels + pruned.earlyPayments;
    const level = pruned.earlyPayments > 0 ? "warn" : total > 0 ? "info" : "debug";
    this.log[level](
      {
        processedEvents: pruned.processedEvents,
        stockLevels: pruned.stockLevels,
        earlyPaymentsExpired: pruned.earlyPayments,
        redeliveryHorizonHours: Math.round((horizonMs / HOUR_MS) * 100) / 100,
        earlyPaymentMaxAgeHours: this.options.config.earlyPaymentMaxAgeHours,
      },
      `serving-store housekeeping deleted ${total} rows` + (pruned.earlyPayments > 0 ? ` (${pruned.earlyPayments} payments whose order never came)` : ""),
    );
  }
}
