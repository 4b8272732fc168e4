// A reason is one rule's finding about an order, with the weight of evidence it carries; the score
// combines the reasons as independent evidence. Rules that look at the same behaviour through two keys
// (a customer and a card) report one reason, the stronger, so one burst is not counted twice.

export const fraudRules = [
  "order_velocity",
  "failed_payment_velocity",
  "card_testing",
  "amount_anomaly",
  "new_account_high_value",
  "country_mismatch",
  "unfamiliar_card",
] as const;
export type FraudRule = (typeof fraudRules)[number];

export interface FraudReason {
  rule: FraudRule;
  /** the weight of evidence, from 0 to 1 */
  weight: number;
  /** what was measured: a count, a z-score, an order total, an account age in hours… */
  value: number;
  /** the configured value at which the rule fires, in the same unit */
  threshold: number;
  /** one line for a person reading the alert */
  detail: string;
}

const round3 = (value: number): number => Math.round(value * 1000) / 1000;

/** A reason with its weight and measure rounded, so scores compare and serialize exactly. */
export function reason(rule: FraudRule, weight: number, value: number, threshold: number, detail: string): FraudReason {
  return { rule, weight: round3(Math.min(1, Math.max(0, weight))), value: round3(value), threshold, detail };
}

/** One reason per rule (the heaviest), in the order of fraudRules. */
export function strongestPerRule(reasons: readonly FraudReason[]): FraudReason[] {
  const best = new Map<FraudRule, FraudReason>();
  for (const candidate of reasons) {
    const current = best.get(candidate.rule);
    if (!current || candidate.weight > current.weight) best.set(candidate.rule, candidate);
  }
  return fraudRules.flatMap((rule) => best.get(rule) ?? []);
}

/** 1 − Π(1 − weight): two 0.5 reasons make 0.75; no reasons make 0. Rounded to three decimals. */
export function combinedScore(reasons: readonly FraudReason[]): number {
  let clean = 1;
  for (const { weight } of reasons) clean *= 1 - weight;
  return round3(1 - clean);
}
