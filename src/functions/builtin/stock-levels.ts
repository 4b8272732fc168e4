// Stock-level history, the write side: a batch's ledger notes each store and product whose level a move
// changed, and at the end of the batch records one stock_levels row per pair with the level after the
// batch, in the transaction that changed it. The row is keyed by the last event that moved the pair, so
// a replayed batch (whose events are already processed) reads the same rows back instead of making them.
import type { SqlExecutor } from "../../store/index.js";
import { derivedPairId, type MoveCause, type StockMove } from "./inventory.js";

interface PairChange {
  storeId: string;
  productId: string;
  /** events that moved the level */
  moves: number;
  last: MoveCause;
}

export function stockLevelId(eventId: string, storeId: string, productId: string): string {
  return derivedPairId("stock-level", eventId, storeId, productId);
}

/** The level of each store and product a batch changed, once it is over. */
export class StockLedger {
  private readonly changes = new Map<string, PairChange>();

  moved(move: StockMove, cause: MoveCause): void {
    const key = JSON.stringify([move.storeId, move.productId]);
    const change = this.changes.get(key);
    if (change === undefined) {
      this.changes.set(key, { storeId: move.storeId, productId: move.productId, moves: 1, last: cause });
      return;
    }
    // Events run one after the other, so a second move by the same event follows its first.
    if (change.last.eventId !== cause.eventId) change.moves++;
    change.last = cause;
  }

  /** Records the level after the batch of every pair it changed; returns how many. */
  async record(tx: SqlExecutor, nowMs: number): Promise<number> {
    for (const change of this.changes.values()) {
      const level = await tx.get<{ on_hand: number; reserved: number; reorder_point: number; target_level: number }>(
        "SELECT on_hand, reserved, reorder_point, target_level FROM inventory WHERE store_id = ? AND product_id = ?",
        [change.storeId, change.productId],
      );
      if (!level) continue;
      const { last } = change;
      await tx.run(
        `INSERT INTO stock_levels (level_id, event_id, sequence_number, event_type, store_id, product_id, on_hand, reserved,
           reorder_point, target_level, moves, occurred_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (level_id) DO NOTHING`,
        [
          stockLevelId(last.eventId, change.storeId, change.productId),
          last.eventId,
          last.sequenceNumber,
          last.eventType,
          change.storeId,
          change.productId,
          Number(level.on_hand),
          Number(level.reserved),
          Number(level.reorder_point),
          Number(level.target_level),
          change.moves,
          last.occurredAt,
          nowMs,
        ],
      );
    }
    return this.changes.size;
  }
}
