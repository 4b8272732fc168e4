// What happens to an order after it is placed: payment (with failures and retries), and then perhaps a
// cancellation, a return or a review. Cancellations and returns put the stock back on the store's shelf.
import { customerCardFingerprint, paysByCard } from "./cards.js";
import type { Customer, Product } from "./catalog.js";
import type { SimulationContext } from "./context.js";
import type { PayloadOf } from "./event-writer.js";
import type { OrderLine } from "./pricing.js";
import { categoryByName } from "./reference-data.js";
import type { Task } from "./scheduler.js";
import { paymentMethods, type SegmentBehaviour } from "./segments.js";

export interface PlacedOrder {
  orderId: string;
  customer: Customer;
  behaviour: SegmentBehaviour;
  storeIndex: number;
  lines: OrderLine[];
  totalUsd: number;
  paymentMethod: string;
  /** billing and shipping countries differ: a classic fraud signal, and banks decline more of these */
  countriesMismatch: boolean;
}

type Stage = "authorize" | "retry" | "cancel_unpaid" | "cancel" | "return" | "review";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

// Post-purchase timelines are compressed (real returns take days) so that a run of an hour or two of shop
// time already exercises every event type the pipeline handles.
const paymentDelayMs = (ctx: SimulationContext) => 500 + ctx.random.exponential(2_500);
const retryDelayMs = (ctx: SimulationContext) => 30_000 + ctx.random.exponential(90_000);
const unpaidCancelDelayMs = (ctx: SimulationContext) => 10 * MINUTE_MS + ctx.random.exponential(20 * MINUTE_MS);
const cancelDelayMs = (ctx: SimulationContext) => 5 * MINUTE_MS + ctx.random.exponential(45 * MINUTE_MS);
const returnDelayMs = (ctx: SimulationContext) => 30 * MINUTE_MS + ctx.random.exponential(3 * HOUR_MS);
const reviewDelayMs = (ctx: SimulationContext) => 20 * MINUTE_MS + ctx.random.exponential(2 * HOUR_MS);

const RETRY_AFTER_FAILURE_RATE = 0.55;
const RETRY_SUCCESS_RATE = 0.85;
/** A review is about a returned item this often, when something came back. */
const REVIEW_OF_RETURN_RATE = 0.5;

const failureReasons = ["card_declined", "insufficient_funds", "expired_card", "authentication_failed", "fraud_suspected"];
const failureReasonWeights = [0.4, 0.25, 0.1, 0.15, 0.1];
const cancelReasons = ["customer_request", "found_better_price", "ordered_by_mistake", "shipping_too_slow"];
const returnReasons = ["damaged", "not_as_described", "changed_mind", "arrived_late", "defective"];

const ratings = [1, 2, 3, 4, 5];
const keptRatingWeights = [0.04, 0.05, 0.11, 0.28, 0.52];
const returnedRatingWeights = [0.35, 0.25, 0.2, 0.12, 0.08];
const reviewTitles: Record<number, readonly string[]> = {
  1: ["Very disappointed", "Broke within a week", "Would not buy again"],
  2: ["Not great", "Below expectations", "Cheaply made"],
  3: ["It's okay", "Does the job", "Average"],
  4: ["Very good", "Happy with it", "Solid purchase"],
  5: ["Love it!", "Excellent quality", "Exactly as described", "Five stars"],
};
const reviewBodies: Record<number, readonly string[]> = {
  1: ["Stopped working after a few days and support was no help.", "Nothing like the photos."],
  2: ["Works, but the quality is lower than I expected for the price."],
  3: ["Fine for the price. Shipping was a bit slow."],
  4: ["Good value and arrived quickly. Would buy again.", "Does what it says; minor scratches on arrival."],
  5: ["Exceeded my expectations. Highly recommend!", "Perfect, arrived early and works great."],
};

export function startOrderLifecycle(ctx: SimulationContext, nowMs: number, order: PlacedOrder): void {
  const lifecycle = new OrderLifecycle(ctx, order);
  ctx.scheduler.schedule(lifecycle, nowMs + paymentDelayMs(ctx));
}

class OrderLifecycle implements Task {
  dueMs = 0;
  scheduleOrder = 0;
  private stage: Stage = "authorize";
  private paymentMethod: string;
  /** after-sale stages still to come, earliest first */
  private readonly upcoming: Array<{ stage: Stage; atMs: number }> = [];
  private returnedLines: OrderLine[] = [];
  private reviewedLine: OrderLine | undefined;

  constructor(
    private readonly ctx: SimulationContext,
    private readonly placed: PlacedOrder,
  ) {
    this.paymentMethod = placed.paymentMethod;
  }

  fire(nowMs: number): void {
    switch (this.stage) {
      case "authorize":
        this.attemptPayment(nowMs, this.placed.behaviour.paymentFailureRate * (this.placed.countriesMismatch ? 4 : 1));
        break;
      case "retry":
        this.attemptPayment(nowMs, 1 - RETRY_SUCCESS_RATE, true);
        break;
      case "cancel_unpaid":
        this.cancel(nowMs, "payment_failed");
        break;
      case "cancel":
        this.cancel(nowMs, this.ctx.random.pick(cancelReasons));
        break;
      case "return":
        this.returnItems(nowMs);
        break;
      case "review":
        this.review(nowMs);
        break;
    }
    const next = this.upcoming.shift();
    if (next) {
      this.stage = next.stage;
      this.ctx.scheduler.schedule(this, next.atMs);
    }
  }

  private attemptPayment(nowMs: number, failureRate: number, isRetry = false): void {
    const { random, writer, ids } = this.ctx;
    const payment: PayloadOf<"payment_authorized"> = {
      order_id: this.placed.orderId,
      payment_id: ids.next("pa"),
      customer_id: this.placed.customer.customer_id,
      amount: this.placed.totalUsd,
      method: this.paymentMethod,
    };
    if (paysByCard(this.paymentMethod)) payment["card_fingerprint"] = customerCardFingerprint(this.placed.customer.customer_id, this.placed.orderId);
    if (!random.chance(Math.min(0.6, failureRate))) {
      writer.emit("payment_authorized", nowMs, payment);
      this.planAfterSale(nowMs);
      return;
    }
    writer.emit("payment_failed", nowMs, { ...payment, reason: random.weightedPick(failureReasons, failureReasonWeights) });
    if (!isRetry && random.chance(RETRY_AFTER_FAILURE_RATE)) {
      // Many shoppers retry with another way to pay.
      if (random.chance(0.4)) this.paymentMethod = random.pick(paymentMethods.filter((entry) => entry.method !== this.paymentMethod)).method;
      this.upcoming.push({ stage: "retry", atMs: nowMs + retryDelayMs(this.ctx) });
    } else {
      this.upcoming.push({ stage: "cancel_unpaid", atMs: nowMs + unpaidCancelDelayMs(this.ctx) });
    }
  }

  private planAfterSale(nowMs: number): void {
    const { random } = this.ctx;
    const behaviour = this.placed.behaviour;
    if (random.chance(behaviour.cancelRate)) {
      this.upcoming.push({ stage: "cancel", atMs: nowMs + cancelDelayMs(this.ctx) });
      return;
    }
    for (const line of this.placed.lines) {
      const returnRate = (categoryByName.get(this.product(line).category)?.returnRate ?? 0.05) * behaviour.returnRateFactor;
      if (random.chance(returnRate)) {
        this.returnedLines.push({ ...line, quantity: random.int(1, line.quantity) });
      }
    }
    const returnAtMs = nowMs + returnDelayMs(this.ctx);
    if (this.returnedLines.length > 0) this.upcoming.push({ stage: "return", atMs: returnAtMs });
    if (random.chance(behaviour.reviewRate)) {
      const aboutReturn = this.returnedLines.length > 0 && random.chance(REVIEW_OF_RETURN_RATE);
      this.reviewedLine = aboutReturn ? random.pick(this.returnedLines) : random.pick(this.placed.lines);
      // A shopper reviews a returned item after sending it back.
      const reviewAtMs = (aboutReturn ? returnAtMs : nowMs) + reviewDelayMs(this.ctx);
      this.upcoming.push({ stage: "review", atMs: reviewAtMs });
    }
    this.upcoming.sort((a, b) => a.atMs - b.atMs);
  }

  private cancel(nowMs: number, reason: string): void {
    for (const line of this.placed.lines) this.ctx.stock.put(this.placed.storeIndex, line.productIndex, line.quantity);
    this.ctx.writer.emit("order_cancelled", nowMs, {
      order_id: this.placed.orderId,
      customer_id: this.placed.customer.customer_id,
      reason,
    });
  }

  private returnItems(nowMs: number): void {
    const { random, stock, catalog, writer } = this.ctx;
    for (const line of this.returnedLines) stock.put(this.placed.storeIndex, line.productIndex, line.quantity);
    const first = this.returnedLines[0];
    const reason = first && this.product(first).category === "apparel" && random.chance(0.6) ? "wrong_size" : random.pick(returnReasons);
    writer.emit("order_returned", nowMs, {
      order_id: this.placed.orderId,
      customer_id: this.placed.customer.customer_id,
      store_id: (catalog.stores[this.placed.storeIndex] as (typeof catalog.stores)[number]).store_id,
      items: this.returnedLines.map((line) => ({ product_id: this.product(line).product_id, quantity: line.quantity })),
      reason,
    });
  }

  private review(nowMs: number): void {
    const line = this.reviewedLine;
    if (!line) return;
    const { random, writer, ids } = this.ctx;
    const returned = this.returnedLines.some((candidate) => candidate.productIndex === line.productIndex);
    const rating = random.weightedPick(ratings, returned ? returnedRatingWeights : keptRatingWeights);
    const payload = {
      review_id: ids.next("rv"),
      product_id: this.product(line).product_id,
      customer_id: this.placed.customer.customer_id,
      order_id: this.placed.orderId,
      rating,
      title: random.pick(reviewTitles[rating] ?? ["Review"]),
    };
    writer.emit("review_submitted", nowMs, random.chance(0.6) ? { ...payload, body: random.pick(reviewBodies[rating] ?? [""]) } : payload);
  }

  private product(line: OrderLine): Product {
    return this.ctx.catalog.products[line.productIndex] as Product;
  }
}
