// The planner's memory of what it sent: one row per store and product with the time of its last alert.
// The default `replenishment` queue is a standard queue, which keeps no deduplication ids, so planning
// keeps its own in the serving store and sends a need again only after the deduplication window.
import type { ServingStore } from "../store/index.js";

export interface AlertKey {
  storeId: string;
  productId: string;
}

export class SentAlerts {
  constructor(private readonly store: ServingStore) {}

  /**
   * Claims the right to send an alert for each key: true unless one was sent after `sentAfterMs`. Each
   * claim is a conditional upsert, so two planning runs at once (the CLI while `up` runs) never both send;
   * all of them commit in one transaction, which keeps a run with thousands of needs fast.
   */
  claimAll(keys: readonly (AlertKey & { dedupId: string })[], claim: { runId: string; nowMs: number; sentAfterMs: number }): Promise<boolean[]> {
    return this.store.transaction(async (tx) => {
      const claimed: boolean[] = [];
      for (const key of keys) {
        const { changes } = await tx.run(
          `INSERT INTO planning_sent (store_id, product_id, dedup_id, run_id, sent_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (store_id, product_id) DO UPDATE SET dedup_id = excluded.dedup_id, run_id = excluded.run_id, sent_at = excluded.sent_at
           WHERE planning_sent.sent_at <= ?`,
          [key.storeId, key.productId, key.dedupId, claim.runId, claim.nowMs, claim.sentAfterMs],
        );
        claimed.push(changes === 1);
      }
      return claimed;
    });
  }

  /** Gives a claim back after its send failed, so the next run tries again instead of waiting out the window. */
  async release(key: AlertKey, runId: string): Promise<void> {
    await this.store.run("DELETE FROM planning_sent WHERE store_id = ? AND product_id = ? AND run_id = ?", [key.storeId, key.productId, runId]);
  }
}
