// Store inventory moves. Per store and product: on_hand (on the shelf) and reserved (promised to open
// orders), so available = on_hand − reserved. Every move is one conditional UPDATE, so no level ever goes
// negative even with concurrent writers; a move that takes available from at or above the reorder point to
// below it records a low-stock alert in the same transaction, idempotently (its id derives from event_id).
// Every move that changes a level is told to the batch's ledger, which records the levels after the batch.
import { createHash } from "node:crypto";
import type { SqlExecutor } from "../../store/index.js";
import type { StockLedger } from "./stock-levels.js";

export interface StockMove {
  storeId: string;
  productId: string;
  quantity: number;
}

/** What caused a move: its id keys the alert, its time stamps it. */
export interface MoveCause {
  eventId: string;
  eventType: string;
  occurredAt: string;
  /** the stream record the event came in: a replayed batch finds what it derived by it */
  sequenceNumber: string;
  nowMs: number;
  /** the batch's record of the levels it changed */
  ledger: StockLedger;
}

interface LevelAfter {
  on_hand: number;
  reserved: number;
  reorder_point: number;
}

/** Ids are at most 128 characters, like every event id. */
const MAX_ID_CHARS = 128;

/**
 * The id of what an event derived for one store and product: `<kind>:<event id>:<store>:<product>`, or,
 * when that is too long, `<kind>:` and 128 bits of its SHA-256. Deterministic, so a replay derives the same id.
 */
export function derivedPairId(kind: string, eventId: string, storeId: string, productId: string): string {
  const readable = `${kind}:${eventId}:${storeId}:${productId}`;
  if (readable.length <= MAX_ID_CHARS) return readable;
  return `${kind}:${createHash("sha256").update(readable).digest("hex").slice(0, 32)}`;
}

export function lowStockAlertId(eventId: string, storeId: string, productId: string): string {
  return derivedPairId("low-stock", eventId, storeId, productId);
}

async function alertIfCrossed(tx: SqlExecutor, move: StockMove, after: LevelAfter, lowered: number, cause: MoveCause): Promise<void> {
  const availableAfter = Number(after.on_hand) - Number(after.reserved);
  const reorderPoint = Number(after.reorder_point);
  if (!(availableAfter + lowered >= reorderPoint && availableAfter < reorderPoint)) return;
  await tx.run(
    `INSERT INTO low_stock_alerts (alert_id, event_id, sequence_number, store_id, product_id, available, reorder_point, occurred_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (alert_id) DO NOTHING`,
    [
      lowStockAlertId(cause.eventId, move.storeId, move.productId),
      cause.eventId,
      cause.sequenceNumber,
      move.storeId,
      move.productId,
      availableAfter,
      reorderPoint,
      cause.occurredAt,
      cause.nowMs,
    ],
  );
}

/**
 * Reserves the move's units if all are available; with `partial`, as many as are available. Returns the
 * units reserved (0 when the store does not stock the product or has none free).
 */
export async function reserveStock(tx: SqlExecutor, move: StockMove, cause: MoveCause, options: { partial: boolean }): Promise<number> {
  let units = move.quantity;
  if (options.partial) {
    const level = await tx.get<{ available: number }>("SELECT on_hand - reserved AS available FROM inventory WHERE store_id = ? AND product_id = ?", [
      move.storeId,
      move.productId,
    ]);
    units = Math.min(units, Math.max(0, Number(level?.available ?? 0)));
  }
  if (units <= 0) return 0;
  // The guard, not the read above, is what keeps available ≥ 0: another writer may have moved in between.
  const [after] = await tx.all<LevelAfter>(
    `UPDATE inventory SET reserved = reserved + ?, updated_at = ?
     WHERE store_id = ? AND product_id = ? AND on_hand - reserved >= ?
     RETURNING on_hand, reserved, reorder_point`,
    [units, cause.nowMs, move.storeId, move.productId, units],
  );
  if (!after) return 0;
  cause.ledger.moved(move, cause);
  await alertIfCrossed(tx, move, after, units, cause);
  return units;
}

/** Tells the ledger when the update changed the level. */
function noted(changes: number, move: StockMove, cause: MoveCause): boolean {
  if (changes !== 1) return false;
  cause.ledger.moved(move, cause);
  return true;
}

/** Turns reserved units into sold ones: both on_hand and reserved drop, available stays. */
export async function commitReserved(tx: SqlExecutor, move: StockMove, cause: MoveCause): Promise<boolean> {
  const { changes } = await tx.run(
    `UPDATE inventory SET on_hand = on_hand - ?, reserved = reserved - ?, updated_at = ?
     WHERE store_id = ? AND product_id = ? AND reserved >= ? AND on_hand >= ?`,
    [move.quantity, move.quantity, cause.nowMs, move.storeId, move.productId, move.quantity, move.quantity],
  );
  return noted(changes, move, cause);
}

/** Gives reserved units back to available. */
export async function releaseReserved(tx: SqlExecutor, move: StockMove, cause: MoveCause): Promise<boolean> {
  const { changes } = await tx.run(
    "UPDATE inventory SET reserved = reserved - ?, updated_at = ? WHERE store_id = ? AND product_id = ? AND reserved >= ?",
    [move.quantity, cause.nowMs, move.storeId, move.productId, move.quantity],
  );
  return noted(changes, move, cause);
}

/** Puts units (a delivery, a return, a cancelled sale) on the shelf. */
export async function restock(tx: SqlExecutor, move: StockMove, cause: MoveCause): Promise<boolean> {
  if (move.quantity <= 0) return false;
  const { changes } = await tx.run("UPDATE inventory SET on_hand = on_hand + ?, updated_at = ? WHERE store_id = ? AND product_id = ?", [
    move.quantity,
    cause.nowMs,
    move.storeId,
    move.productId,
  ]);
  return noted(changes, move, cause);
}
