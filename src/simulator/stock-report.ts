// A store's periodic inventory report (the "StoreApp"): one inventory_snapshot per product with the units
// on hand and the levels planning works from. Stores report at staggered times, as real ones do.
import type { Store } from "./catalog.js";
import type { SimulationContext } from "./context.js";
import type { Task } from "./scheduler.js";

export class StockReport implements Task {
  dueMs = 0;
  scheduleOrder = 0;

  constructor(
    private readonly ctx: SimulationContext,
    private readonly storeIndex: number,
    private readonly intervalMs: number,
  ) {}

  fire(nowMs: number): void {
    const { catalog, stock, writer, scheduler } = this.ctx;
    const store = catalog.stores[this.storeIndex] as Store;
    store.inventory.forEach((levels, productIndex) => {
      writer.emit("inventory_snapshot", nowMs, {
        store_id: store.store_id,
        product_id: levels.product_id,
        on_hand: stock.onHand(this.storeIndex, productIndex),
        reorder_point: levels.reorder_point,
        target_level: levels.target_level,
      });
    });
    scheduler.schedule(this, nowMs + this.intervalMs);
  }
}
