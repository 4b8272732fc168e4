// The rules on one order's own facts: a new account placing a high-value order, and shipping and billing
// countries that differ. Neither needs any history, so both are judged when the order is placed.
import type { FraudConfig } from "./config.js";
import type { EventFacts } from "./event-facts.js";
import { reason, type FraudReason } from "./reasons.js";

const HOUR_MS = 3_600_000;

export function newAccountHighValueReason(config: FraudConfig, order: EventFacts): FraudReason | undefined {
  const rule = config.newAccountHighValue;
  if (!rule.enabled || order.accountCreatedMs === undefined || order.amount < rule.minTotal || rule.minTotal <= 0) return undefined;
  const accountAgeMs = Math.max(0, order.occurredMs - order.accountCreatedMs);
  if (accountAgeMs > rule.maxAccountAgeMs) return undefined;
  // Risk grows with the money at stake: each doubling of the total adds weight.
  const weight = Math.min(rule.maxWeight, rule.weightAtMinTotal + rule.weightPerDoubling * Math.log2(order.amount / rule.minTotal));
  const ageHours = accountAgeMs / HOUR_MS;
  const age = ageHours < 1 ? `${Math.round(ageHours * 60)} min` : `${ageHours.toFixed(1)} h`;
  return reason("new_account_high_value", weight, order.amount, rule.minTotal, `order of ${order.amount} from an account opened ${age} before`);
}

export function countryMismatchReason(config: FraudConfig, order: EventFacts): FraudReason | undefined {
  const rule = config.countryMismatch;
  if (!rule.enabled || order.shippingCountry === undefined || order.billingCountry === undefined) return undefined;
  if (order.shippingCountry === order.billingCountry) return undefined;
  const highValue = order.amount >= rule.highValueTotal;
  return reason(
    "country_mismatch",
    highValue ? rule.highValueWeight : rule.weight,
    order.amount,
    rule.highValueTotal,
    `ships to ${order.shippingCountry}, billed in ${order.billingCountry}${highValue ? `, on an order of ${order.amount}` : ""}`,
  );
}

export function orderReasons(config: FraudConfig, order: EventFacts): FraudReason[] {
  return [newAccountHighValueReason(config, order), countryMismatchReason(config, order)].filter((found) => found !== undefined);
}
