// Idempotency: an event's effects apply once. The batch's event ids are claimed in processed_events in the
// same transaction as the effects, in one statement per chunk; the ids the insert returns are the fresh
// ones. A replayed batch claims nothing and changes nothing. Claims are pruned once no stream can deliver
// their event again (functions/builtin/housekeeping.ts).
import type { SqlExecutor } from "../store/index.js";
import { insertRowsReturning } from "./sql-batches.js";

const CLAIM = { into: "INSERT INTO processed_events (consumer, event_id, processed_at)", columnCount: 3, onConflict: "ON CONFLICT DO NOTHING RETURNING event_id" };

/** The events not yet processed by `consumer`, in their order; an id repeated within the batch counts once. */
export async function claimFreshEvents<E extends { eventId: string }>(tx: SqlExecutor, consumer: string, events: readonly E[], nowMs: number): Promise<E[]> {
  const ids = [...new Set(events.map((event) => event.eventId))];
  const claimed = await insertRowsReturning<{ event_id: string }>(
    tx,
    CLAIM,
    ids.map((id) => [consumer, id, nowMs]),
  );
  const fresh = new Set(claimed.map((row) => row.event_id));
  return events.filter((event) => fresh.delete(event.eventId));
}
