// The ground truth the simulator writes into the payloads of injected cases, so that a detector's output
// can be scored. Only evaluation reads it: a detector that looked at it would be cheating.

/** Fraud the simulator injects; each one shows the signal its name says. */
export const fraudPatterns = ["card_testing", "velocity", "amount_outlier", "new_account_high_value", "country_mismatch"] as const;
export type FraudPattern = (typeof fraudPatterns)[number];

/** Honest behaviour that shows one fraud signal, so that precision is measured against hard negatives. */
export const benignLookalikes = ["new_signup_big_order", "traveller", "big_spender", "card_retry", "repeat_buyer"] as const;
export type BenignLookalike = (typeof benignLookalikes)[number];

/** What an injected case is. */
export type CaseKind = { fraud_pattern: FraudPattern } | { benign_lookalike: BenignLookalike };

/** The `simulation` payload field of every event an injected case emits. */
export type SimulationLabel = { case_id: string } & CaseKind;

/** The payload field that carries the label. */
export const SIMULATION_LABEL_FIELD = "simulation";

/** The label in an event payload, if it carries one. */
export function simulationLabelOf(payload: Readonly<Record<string, unknown>>): SimulationLabel | undefined {
  const label = payload[SIMULATION_LABEL_FIELD];
  if (typeof label !== "object" || label === null) return undefined;
  const fields = label as Record<string, unknown>;
  if (typeof fields["case_id"] !== "string") return undefined;
  if ((fraudPatterns as readonly unknown[]).includes(fields["fraud_pattern"])) return label as SimulationLabel;
  if ((benignLookalikes as readonly unknown[]).includes(fields["benign_lookalike"])) return label as SimulationLabel;
  return undefined;
}
