// Which stores take backorders: the `inventory` config's allowBackorder and its per-store overrides,
// written to the serving store's stores.allow_backorder (the column the orders function reads) when the
// pipeline opens. The config is the source of truth: a store it does not name gets the default.
import type { ServingStore } from "../store/index.js";
import type { InventoryConfig } from "./config.js";

/** Applies the config; returns the overridden store ids that the serving store does not know. */
export async function applyBackorderConfig(store: ServingStore, config: InventoryConfig): Promise<string[]> {
  return store.transaction(async (tx) => {
    await tx.run("UPDATE stores SET allow_backorder = ?", [config.allowBackorder ? 1 : 0]);
    const unknown: string[] = [];
    for (const [storeId, settings] of Object.entries(config.stores)) {
      if (settings.allowBackorder === undefined) continue;
      const { changes } = await tx.run("UPDATE stores SET allow_backorder = ? WHERE store_id = ?", [settings.allowBackorder ? 1 : 0, storeId]);
      if (changes === 0) unknown.push(storeId);
    }
    return unknown;
  });
}
