// What the simulation remembers of each customer's orders: how many, and the mean and spread of their
// totals on a log scale (basket values are roughly log-normal). Injected cases use it to find established
// customers and to size orders relative to what a customer usually spends.
import type { Customer } from "./catalog.js";
import type { Random } from "./random.js";

export interface OrderHistory {
  orders: number;
  /** mean of ln(total) */
  meanLogTotal: number;
  /** sample standard deviation of ln(total); 0 with fewer than two orders */
  stdDevLogTotal: number;
}

interface Running {
  customer: Customer;
  orders: number;
  meanLogTotal: number;
  /** Welford's sum of squared deviations */
  m2LogTotal: number;
}

/** ln of a total, with totals under one currency unit counted as one so that free orders stay finite. */
const logTotal = (totalUsd: number): number => Math.log(Math.max(totalUsd, 1));

/** Draws before pickEstablished gives up on finding a customer whose account was never abused. */
const PICK_ATTEMPTS = 8;

export class CustomerHistory {
  private readonly byCustomer = new Map<string, Running>();
  /** customers that reached `establishedAfterOrders`, in the order they got there */
  private readonly established: Customer[] = [];
  /** accounts a fraudster has ordered on: their history no longer says who the customer is */
  private readonly abused = new Set<string>();

  constructor(private readonly establishedAfterOrders: number) {}

  /** An order the customer placed themselves. */
  recordOrder(customer: Customer, totalUsd: number): void {
    let running = this.byCustomer.get(customer.customer_id);
    if (!running) {
      running = { customer, orders: 0, meanLogTotal: 0, m2LogTotal: 0 };
      this.byCustomer.set(customer.customer_id, running);
    }
    const value = logTotal(totalUsd);
    running.orders++;
    const delta = value - running.meanLogTotal;
    running.meanLogTotal += delta / running.orders;
    running.m2LogTotal += delta * (value - running.meanLogTotal);
    if (running.orders === this.establishedAfterOrders) this.established.push(customer);
  }

  /** A fraudster ordered on the account: it is not picked as an established customer any more. */
  recordAbuse(customerId: string): void {
    this.abused.add(customerId);
  }

  historyOf(customerId: string): OrderHistory {
    const running = this.byCustomer.get(customerId);
    if (!running) return { orders: 0, meanLogTotal: 0, stdDevLogTotal: 0 };
    return {
      orders: running.orders,
      meanLogTotal: running.meanLogTotal,
      stdDevLogTotal: running.orders > 1 ? Math.sqrt(running.m2LogTotal / (running.orders - 1)) : 0,
    };
  }

  /** A customer with at least `establishedAfterOrders` orders and no abuse, or undefined if none turns up. */
  pickEstablished(random: Random): Customer | undefined {
    if (this.established.length === 0) return undefined;
    for (let attempt = 0; attempt < PICK_ATTEMPTS; attempt++) {
      const customer = random.pick(this.established);
      if (!this.abused.has(customer.customer_id)) return customer;
    }
    return undefined;
  }
}
