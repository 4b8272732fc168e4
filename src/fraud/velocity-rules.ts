// The rules over short event-time windows: many orders (order velocity), many failed payments (failed
// payment velocity), per customer and per card, and card testing: a burst of small failed payments on
// many cards by one customer. They read the activity recorded for the customer and the card around the
// event being assessed, that event included.
import type { FraudConfig } from "./config.js";
import type { ActivityKind } from "./event-facts.js";
import { reason, type FraudReason } from "./reasons.js";
import { earliestPerKey, mostInWindowThrough, windowsThrough } from "./sliding-windows.js";

/** One order or payment attempt as the windows see it. */
export interface Activity {
  kind: ActivityKind;
  orderId: string;
  customerId?: string;
  cardFingerprint?: string;
  amount: number;
  atMs: number;
}

/** The activity around the assessed event, for each key it has. */
export interface ActivityAround {
  atMs: number;
  customerId?: string;
  ofCustomer: readonly Activity[];
  cardFingerprint?: string;
  ofCard: readonly Activity[];
}

type CountRule = FraudConfig["orderVelocity"];

const minutes = (ms: number): string => `${Math.round(ms / 60_000)} min`;

function countReason(rule: "order_velocity" | "failed_payment_velocity", config: CountRule, count: number, what: string): FraudReason | undefined {
  if (count < config.minCount) return undefined;
  const weight = Math.min(config.maxWeight, config.weightAtMin + config.weightPerExtra * (count - config.minCount));
  return reason(rule, weight, count, config.minCount, `${count} ${what} within ${minutes(config.windowMs)}`);
}

export function orderVelocityReasons(config: FraudConfig, around: ActivityAround): FraudReason[] {
  const rule = config.orderVelocity;
  if (!rule.enabled) return [];
  const reasons: Array<FraudReason | undefined> = [];
  if (around.customerId !== undefined) {
    // An order counts once, at its placement.
    const orders = earliestPerKey(around.ofCustomer.filter((activity) => activity.kind === "order"), (activity) => activity.orderId);
    const count = mostInWindowThrough(orders, around.atMs, rule.windowMs);
    reasons.push(countReason("order_velocity", rule, count, `orders by customer ${around.customerId}`));
  }
  if (around.cardFingerprint !== undefined) {
    // A card sees orders through their payments: an order counts once, at its first attempt.
    const orders = earliestPerKey(around.ofCard.filter((activity) => activity.kind !== "order"), (activity) => activity.orderId);
    const count = mostInWindowThrough(orders, around.atMs, rule.windowMs);
    reasons.push(countReason("order_velocity", rule, count, `orders paid with card ${around.cardFingerprint}`));
  }
  return reasons.filter((found) => found !== undefined);
}

export function failedPaymentVelocityReasons(config: FraudConfig, around: ActivityAround): FraudReason[] {
  const rule = config.failedPaymentVelocity;
  if (!rule.enabled) return [];
  const reasons: Array<FraudReason | undefined> = [];
  if (around.customerId !== undefined) {
    const failures = around.ofCustomer.filter((activity) => activity.kind === "failed");
    reasons.push(countReason("failed_payment_velocity", rule, mostInWindowThrough(failures, around.atMs, rule.windowMs), `failed payments by customer ${around.customerId}`));
  }
  if (around.cardFingerprint !== undefined) {
    const failures = around.ofCard.filter((activity) => activity.kind === "failed");
    reasons.push(countReason("failed_payment_velocity", rule, mostInWindowThrough(failures, around.atMs, rule.windowMs), `failed payments on card ${around.cardFingerprint}`));
  }
  return reasons.filter((found) => found !== undefined);
}

/** Card testers try many cards for small amounts; a shopper who mistypes retries one card. */
export function cardTestingReason(config: FraudConfig, around: ActivityAround): FraudReason | undefined {
  const rule = config.cardTesting;
  if (!rule.enabled || around.customerId === undefined) return undefined;
  const smallFailures = around.ofCustomer.filter((activity) => activity.kind === "failed" && activity.amount <= rule.maxAmount);
  let failures = 0;
  let cards = 0;
  for (const window of windowsThrough(smallFailures, around.atMs, rule.windowMs)) {
    const distinctCards = new Set(window.flatMap((activity) => activity.cardFingerprint ?? [])).size;
    if (window.length >= rule.minFailures && distinctCards >= rule.minDistinctCards && window.length > failures) {
      failures = window.length;
      cards = distinctCards;
    }
  }
  if (failures === 0) return undefined;
  return reason(
    "card_testing",
    rule.weight,
    failures,
    rule.minFailures,
    `${failures} failed payments of at most ${rule.maxAmount} on ${cards} cards by customer ${around.customerId} within ${minutes(rule.windowMs)}`,
  );
}

/** Every window rule's reasons for the assessed event. */
export function velocityReasons(config: FraudConfig, around: ActivityAround): FraudReason[] {
  const cardTesting = cardTestingReason(config, around);
  return [...orderVelocityReasons(config, around), ...failedPaymentVelocityReasons(config, around), ...(cardTesting ? [cardTesting] : [])];
}
