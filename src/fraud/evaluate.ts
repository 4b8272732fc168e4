// Scores alerts against the simulator's labels. The unit is the case, as a fraud analyst works them: an
// injected fraud case (all the orders and payments of one pattern instance) is detected when any alert
// is on one of its orders; a false positive is an honest order with an alert. So
//   recall    = detected fraud cases / fraud cases that placed an order
//   precision = detected fraud cases / (detected fraud cases + honest orders with an alert)
// Counting per case keeps a velocity burst of eight alerted orders from weighing eight times as much as
// a card-testing case with one order. Honest orders include the look-alike cases and organic traffic.
import { benignLookalikes, fraudPatterns, simulationLabelOf, type BenignLookalike, type FraudPattern } from "../simulator/index.js";

/** An event as the simulator wrote it, or as curated: only these fields are read. */
export interface LabelledEvent {
  type: string;
  payload: Readonly<Record<string, unknown>>;
}

/** An alert, by the order it is about. */
export interface ScoredAlert {
  orderId: string;
}

export interface DetectionQuality {
  /** detected fraud cases / fraud cases; NaN when there is no fraud case */
  recall: number;
  /** detected fraud cases / (detected fraud cases + honest orders flagged); NaN when nothing was flagged */
  precision: number;
  fraudCases: number;
  detectedCases: number;
  honestOrders: number;
  flaggedHonestOrders: number;
  byPattern: Record<FraudPattern, { cases: number; detected: number }>;
  /** flagged honest orders by look-alike kind; "organic" for the simulator's ordinary shoppers */
  flaggedHonestBySource: Record<BenignLookalike | "organic", number>;
}

const ORDER_EVENT_TYPES = new Set(["order_placed", "payment_authorized", "payment_failed"]);

export function evaluateDetection(events: Iterable<LabelledEvent>, alerts: Iterable<ScoredAlert>): DetectionQuality {
  const fraudCaseOfOrder = new Map<string, { caseId: string; pattern: FraudPattern }>();
  const honestSourceOfOrder = new Map<string, BenignLookalike | "organic">();
  const patternOfCase = new Map<string, FraudPattern>();
  for (const event of events) {
    if (!ORDER_EVENT_TYPES.has(event.type)) continue;
    const orderId = event.payload["order_id"];
    if (typeof orderId !== "string") continue;
    const label = simulationLabelOf(event.payload);
    if (label && "fraud_pattern" in label) {
      fraudCaseOfOrder.set(orderId, { caseId: label.case_id, pattern: label.fraud_pattern });
      patternOfCase.set(label.case_id, label.fraud_pattern);
    } else if (event.type === "order_placed") {
      honestSourceOfOrder.set(orderId, label && "benign_lookalike" in label ? label.benign_lookalike : "organic");
    }
  }

  const detectedCases = new Set<string>();
  const flaggedHonestOrders = new Set<string>();
  for (const alert of alerts) {
    const fraudCase = fraudCaseOfOrder.get(alert.orderId);
    if (fraudCase) detectedCases.add(fraudCase.caseId);
    else flaggedHonestOrders.add(alert.orderId);
  }

  const byPattern = Object.fromEntries(fraudPatterns.map((pattern) => [pattern, { cases: 0, detected: 0 }])) as DetectionQuality["byPattern"];
  for (const [caseId, pattern] of patternOfCase) {
    byPattern[pattern].cases++;
    if (detectedCases.has(caseId)) byPattern[pattern].detected++;
  }
  const flaggedHonestBySource = Object.fromEntries([...benignLookalikes, "organic"].map((source) => [source, 0])) as DetectionQuality["flaggedHonestBySource"];
  for (const orderId of flaggedHonestOrders) flaggedHonestBySource[honestSourceOfOrder.get(orderId) ?? "organic"]++;

  const flagged = detectedCases.size + flaggedHonestOrders.size;
  return {
    recall: patternOfCase.size === 0 ? Number.NaN : detectedCases.size / patternOfCase.size,
    precision: flagged === 0 ? Number.NaN : detectedCases.size / flagged,
    fraudCases: patternOfCase.size,
    detectedCases: detectedCases.size,
    honestOrders: honestSourceOfOrder.size,
    flaggedHonestOrders: flaggedHonestOrders.size,
    byPattern,
    flaggedHonestBySource,
  };
}
