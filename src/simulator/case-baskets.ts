// What an injected case buys: products in a price band, from a store that has them on the shelf, in
// quantities that reach a target value. Card testers want the cheapest item; fraudsters with a stolen
// card want expensive, resellable goods; honest look-alikes buy what people buy.
import type { Catalog } from "./catalog.js";
import type { BasketLine } from "./case-shopper.js";
import type { Random } from "./random.js";
import type { StockLedger } from "./stock-ledger.js";

const MAX_LINES = 3;
const MAX_UNITS_PER_LINE = 3;

export interface Basket {
  storeIndex: number;
  lines: BasketLine[];
  /** list-price value of the lines, before shipping and tax */
  valueUsd: number;
}

export class CaseBaskets {
  /** product indexes, cheapest first */
  private readonly byPrice: number[];

  constructor(
    private readonly catalog: Catalog,
    private readonly stock: StockLedger,
  ) {
    this.byPrice = catalog.products.map((_, index) => index).sort((a, b) => this.priceOf(a) - this.priceOf(b));
  }

  priceOf(productIndex: number): number {
    return (this.catalog.products[productIndex] as Catalog["products"][number]).price;
  }

  /** Products priced from `minUsd` to `maxUsd`, cheapest first. */
  pricedBetween(minUsd: number, maxUsd: number): number[] {
    return this.byPrice.filter((index) => this.priceOf(index) >= minUsd && this.priceOf(index) <= maxUsd);
  }

  /** The preferred store when it has `units` of the product, else a random store that has. */
  storeWithStock(random: Random, productIndex: number, units: number, preferredStoreIndex: number): number | undefined {
    if (this.stock.onHand(preferredStoreIndex, productIndex) >= units) return preferredStoreIndex;
    const stocked = this.catalog.stores.map((_, index) => index).filter((index) => this.stock.onHand(index, productIndex) >= units);
    return stocked.length === 0 ? undefined : random.pick(stocked);
  }

  /**
   * Lines of products priced from `minUnitUsd` to `maxUnitUsd`, all from one store, adding units and lines
   * until their value reaches `targetUsd` (or the basket is as big as a checkout takes: three lines of
   * three units), never above `capUsd`. Undefined when no store has any of those products.
   */
  fill(random: Random, options: { minUnitUsd: number; maxUnitUsd: number; targetUsd: number; capUsd?: number; preferredStoreIndex: number }): Basket | undefined {
    const candidates = random.shuffled(this.pricedBetween(options.minUnitUsd, options.maxUnitUsd));
    const capUsd = options.capUsd ?? Number.POSITIVE_INFINITY;
    let basket: Basket | undefined;
    for (const productIndex of candidates) {
      if (basket && basket.lines.length >= MAX_LINES) break;
      const price = this.priceOf(productIndex);
      const valueUsd = basket?.valueUsd ?? 0;
      const affordable = Math.floor((capUsd - valueUsd) / price);
      if (affordable < 1) continue;
      const wanted = Math.min(MAX_UNITS_PER_LINE, affordable, Math.max(1, Math.ceil((options.targetUsd - valueUsd) / price)));
      const storeIndex = basket ? basket.storeIndex : this.storeWithStock(random, productIndex, 1, options.preferredStoreIndex);
      if (storeIndex === undefined) continue;
      const units = Math.min(wanted, this.stock.onHand(storeIndex, productIndex));
      if (units < 1) continue;
      basket ??= { storeIndex, lines: [], valueUsd: 0 };
      basket.lines.push({ productIndex, quantity: units });
      basket.valueUsd += units * price;
      if (basket.valueUsd >= options.targetUsd) break;
    }
    return basket;
  }
}
