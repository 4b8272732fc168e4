// Assesses one order or payment event inside the batch's transaction: records it for the windows and the
// customer's history, gathers every rule's reasons into its order's evidence, and raises the order's
// alert the first time the combined score reaches the threshold. An order gets at most one alert; a
// later event can raise it when new evidence (a burst completing, an unfamiliar card) tips the score.
import type { SqlExecutor } from "../store/index.js";
import { alertIdFor, insertAlert, type FraudAlert } from "./alerts.js";
import type { FraudConfig } from "./config.js";
import type { EventFacts } from "./event-facts.js";
import {
  cardActivity,
  customerActivity,
  customerRecord,
  orderEvidence,
  recordActivity,
  rememberCard,
  saveCustomerRecord,
  saveOrderEvidence,
  type CustomerRecord,
  type OrderEvidence,
} from "./fraud-state.js";
import { amountAnomalyReason, unfamiliarCardReason, withOrder } from "./history-rules.js";
import { orderReasons } from "./order-rules.js";
import { combinedScore, strongestPerRule, type FraudReason } from "./reasons.js";
import { velocityReasons, type ActivityAround } from "./velocity-rules.js";

/** How far on either side of an event its windows reach: the longest window. */
function windowReachMs(config: FraudConfig): number {
  return Math.max(config.orderVelocity.windowMs, config.failedPaymentVelocity.windowMs, config.cardTesting.windowMs);
}

/** Reasons from the customer's history, updating it with this event. */
async function historyReasons(
  tx: SqlExecutor,
  config: FraudConfig,
  facts: EventFacts,
  customerId: string,
  evidence: OrderEvidence | undefined,
  nowMs: number,
): Promise<FraudReason[]> {
  const before = await customerRecord(tx, customerId);
  let after: CustomerRecord = before;
  const reasons: FraudReason[] = [];
  // The same order_id placed again under another event id is not a second order: the first one counts.
  if (facts.kind === "order" && !evidence?.placed) {
    const anomaly = amountAnomalyReason(config, before, facts.amount);
    if (anomaly) reasons.push(anomaly);
    after = { ...withOrder(before, facts.amount), cardCount: before.cardCount };
  }
  if (facts.cardFingerprint !== undefined) {
    const isNewCard = await rememberCard(tx, customerId, facts.cardFingerprint, facts.occurredMs);
    // The order being paid is already in the history when its order_placed came first.
    const earlierOrders = before.orders - (evidence?.placed ? 1 : 0);
    const unfamiliar = unfamiliarCardReason(config, facts.cardFingerprint, { earlierOrders, knownCards: before.cardCount, cardKnown: !isNewCard });
    if (unfamiliar) reasons.push(unfamiliar);
    if (isNewCard) after = { ...after, cardCount: after.cardCount + 1 };
  }
  if (after !== before) await saveCustomerRecord(tx, customerId, after, nowMs);
  return reasons;
}

async function activityAround(tx: SqlExecutor, config: FraudConfig, facts: EventFacts, customerId: string | undefined): Promise<ActivityAround> {
  const reachMs = windowReachMs(config);
  const fromMs = facts.occurredMs - reachMs;
  const toMs = facts.occurredMs + reachMs;
  const around: ActivityAround = { atMs: facts.occurredMs, ofCustomer: [], ofCard: [] };
  if (customerId !== undefined) {
    around.customerId = customerId;
    around.ofCustomer = await customerActivity(tx, customerId, fromMs, toMs);
  }
  if (facts.cardFingerprint !== undefined) {
    around.cardFingerprint = facts.cardFingerprint;
    around.ofCard = await cardActivity(tx, facts.cardFingerprint, fromMs, toMs);
  }
  return around;
}

/** Assesses one event not seen before; returns the alert it raised, if any. */
export async function assessEvent(tx: SqlExecutor, config: FraudConfig, facts: EventFacts, nowMs: number): Promise<FraudAlert | undefined> {
  const evidence = await orderEvidence(tx, facts.orderId);
  // A payment that does not name its customer belongs to its order's.
  const customerId = facts.customerId ?? evidence?.customerId;
  await recordActivity(tx, facts, customerId);

  const found: FraudReason[] = [...(evidence?.reasons ?? [])];
  if (facts.kind === "order") found.push(...orderReasons(config, facts));
  if (customerId !== undefined) found.push(...(await historyReasons(tx, config, facts, customerId, evidence, nowMs)));
  found.push(...velocityReasons(config, await activityAround(tx, config, facts, customerId)));

  const reasons = strongestPerRule(found);
  const score = combinedScore(reasons);
  const updated: OrderEvidence = { placed: (evidence?.placed ?? false) || facts.kind === "order", reasons };
  if (customerId !== undefined) updated.customerId = customerId;
  let alert: FraudAlert | undefined;
  if (evidence?.alertId !== undefined) updated.alertId = evidence.alertId;
  else if (score >= config.alertThreshold) {
    alert = {
      alertId: alertIdFor(facts.eventId),
      eventId: facts.eventId,
      eventType: facts.eventType,
      orderId: facts.orderId,
      score,
      threshold: config.alertThreshold,
      reasons,
      occurredAt: facts.occurredAt,
      createdAtMs: nowMs,
    };
    if (customerId !== undefined) alert.customerId = customerId;
    if (facts.cardFingerprint !== undefined) alert.cardFingerprint = facts.cardFingerprint;
    await insertAlert(tx, alert);
    updated.alertId = alert.alertId;
  }
  await saveOrderEvidence(tx, facts.orderId, updated, facts.occurredMs);
  return alert;
}
