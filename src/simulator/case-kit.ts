// What the builder of an injected case works with: the world, the injection's own random stream (so
// that the shoppers' stream does not shift when injection is on or off), baskets, and the people a case
// needs: any customer, an established one, or an account opened just now.
import type { Customer } from "./catalog.js";
import { CaseBaskets } from "./case-baskets.js";
import { CaseScript } from "./case-script.js";
import type { CaseContext } from "./case-shopper.js";
import type { SimulationContext } from "./context.js";
import type { Random } from "./random.js";
import { billingCountries } from "./reference-data.js";
import type { CaseKind } from "./simulation-label.js";

export class CaseKit {
  readonly baskets: CaseBaskets;

  constructor(
    readonly ctx: SimulationContext,
    readonly random: Random,
  ) {
    this.baskets = new CaseBaskets(ctx.catalog, ctx.stock);
  }

  /** A new case of `kind`, with its own script and case id. */
  begin(kind: CaseKind): CaseContext {
    return {
      ctx: this.ctx,
      random: this.random,
      label: { case_id: this.ctx.ids.next("fc"), ...kind },
      script: new CaseScript(this.ctx.scheduler),
    };
  }

  anyCustomer(): Customer {
    return this.random.pick(this.ctx.catalog.customers);
  }

  /** A customer with a few orders behind them, or undefined early in a run when there is none yet. */
  establishedCustomer(): Customer | undefined {
    return this.ctx.customerHistory.pickEstablished(this.random);
  }

  /** An account opened at `createdAtMs` by someone living where an existing customer lives. */
  signUp(createdAtMs: number): Customer {
    const neighbour = this.anyCustomer();
    return {
      customer_id: this.ctx.ids.next("cu"),
      segment: "new",
      country: neighbour.country,
      city: neighbour.city,
      home_store_id: neighbour.home_store_id,
      signed_up_at: new Date(createdAtMs).toISOString(),
    };
  }

  homeStoreIndex(customer: Customer): number {
    return this.ctx.storeIndexById.get(customer.home_store_id) ?? 0;
  }

  /** A country other than `country`, for a card issued abroad. */
  otherCountry(country: string): string {
    return this.random.pick(billingCountries.filter((candidate) => candidate !== country));
  }
}
