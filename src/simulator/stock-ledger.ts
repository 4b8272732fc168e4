// The simulated shelves: units on hand per store and product. Orders take from it, cancellations, returns
// and deliveries put back, and stores report it in their inventory snapshots. It never goes below zero.
import type { Catalog } from "./catalog.js";

export class StockLedger {
  private readonly units: Int32Array;
  private readonly productCount: number;

  constructor(catalog: Catalog) {
    this.productCount = catalog.products.length;
    this.units = new Int32Array(catalog.stores.length * this.productCount);
    catalog.stores.forEach((store, storeIndex) => {
      store.inventory.forEach((stock, productIndex) => {
        this.units[storeIndex * this.productCount + productIndex] = stock.on_hand;
      });
    });
  }

  onHand(storeIndex: number, productIndex: number): number {
    return this.units[storeIndex * this.productCount + productIndex] ?? 0;
  }

  /** Takes up to `wanted` units and returns how many it took: a shelf cannot give what it lacks. */
  take(storeIndex: number, productIndex: number, wanted: number): number {
    const slot = storeIndex * this.productCount + productIndex;
    const taken = Math.min(wanted, this.units[slot] ?? 0);
    this.units[slot] = (this.units[slot] ?? 0) - taken;
    return taken;
  }

  put(storeIndex: number, productIndex: number, quantity: number): void {
    const slot = storeIndex * this.productCount + productIndex;
    // Int32 saturates far above any realistic shelf; clamp so a runaway feed cannot wrap negative.
    this.units[slot] = Math.min(2_000_000_000, (this.units[slot] ?? 0) + quantity);
  }
}
