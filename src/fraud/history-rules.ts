// The rules against a customer's own history: an order total far above what they usually spend (a
// z-score on the log scale, where basket values are roughly normal), and a card never seen on an
// established account. History is all time, not windowed, and kept as running sums (Welford).
import type { FraudConfig } from "./config.js";
import { reason, type FraudReason } from "./reasons.js";

export interface AmountHistory {
  orders: number;
  /** mean of ln(total) */
  meanLogTotal: number;
  /** Welford's sum of squared deviations of ln(total) */
  m2LogTotal: number;
}

export const EMPTY_HISTORY: AmountHistory = { orders: 0, meanLogTotal: 0, m2LogTotal: 0 };

/** ln of a total; totals under one currency unit count as one, so free orders stay finite. */
const logTotal = (total: number): number => Math.log(Math.max(total, 1));

export function withOrder(history: AmountHistory, total: number): AmountHistory {
  const value = logTotal(total);
  const orders = history.orders + 1;
  const delta = value - history.meanLogTotal;
  const meanLogTotal = history.meanLogTotal + delta / orders;
  return { orders, meanLogTotal, m2LogTotal: history.m2LogTotal + delta * (value - meanLogTotal) };
}

/** z of ln(total) against the earlier orders, with the spread taken as at least minLogStdDev. */
export function logAmountZScore(history: AmountHistory, total: number, minLogStdDev: number): number {
  const stdDev = history.orders > 1 ? Math.sqrt(history.m2LogTotal / (history.orders - 1)) : 0;
  return (logTotal(total) - history.meanLogTotal) / Math.max(stdDev, minLogStdDev);
}

/** Judges `total` against the customer's orders before it; only amounts above the usual are suspicious. */
export function amountAnomalyReason(config: FraudConfig, history: AmountHistory, total: number): FraudReason | undefined {
  const rule = config.amountAnomaly;
  if (!rule.enabled || history.orders < rule.minHistoryOrders) return undefined;
  const z = logAmountZScore(history, total, rule.minLogStdDev);
  if (z < rule.minZScore) return undefined;
  const span = rule.strongZScore - rule.minZScore;
  const progress = span > 0 ? Math.min(1, (z - rule.minZScore) / span) : 1;
  const weight = rule.weightAtMinZScore + (rule.weightAtStrongZScore - rule.weightAtMinZScore) * progress;
  const usual = Math.exp(history.meanLogTotal);
  const detail = `total ${total} is ${z.toFixed(1)} σ above this customer's usual ${usual.toFixed(2)} (${history.orders} earlier orders)`;
  return reason("amount_anomaly", weight, z, rule.minZScore, detail);
}

/** What the account's history says about a card it pays with. */
export interface CardHistory {
  /** orders the customer placed before the one being paid */
  earlierOrders: number;
  /** distinct cards seen on the account before this payment */
  knownCards: number;
  /** this card among them */
  cardKnown: boolean;
}

/** A card never seen on an account that has a history of paying by card: the mark of a takeover. */
export function unfamiliarCardReason(config: FraudConfig, card: string, history: CardHistory): FraudReason | undefined {
  const rule = config.unfamiliarCard;
  if (!rule.enabled || history.cardKnown || history.knownCards === 0 || history.earlierOrders < rule.minHistoryOrders) return undefined;
  return reason(
    "unfamiliar_card",
    rule.weight,
    history.earlierOrders,
    rule.minHistoryOrders,
    `card ${card} never seen on this account (${history.earlierOrders} earlier orders, ${history.knownCards} known cards)`,
  );
}
