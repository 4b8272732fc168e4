// Honest shoppers who show one fraud signal: a new account's big first order, a traveller's foreign
// delivery, a loyal customer's splurge, a mistyped card, a forgotten item ordered again. A detector that
// flags every one of these is not precise; these cases make precision a real measurement. Each pays with
// the customer's own card.
import { customerCardFingerprint } from "./cards.js";
import type { CaseKit } from "./case-kit.js";
import { pay, shopAndOrder, type CaseContext, type OrderPlan, type PlacedCaseOrder } from "./case-shopper.js";
import type { BenignLookalike } from "./simulation-label.js";

const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;

const typoDeclines = ["incorrect_cvc", "card_declined", "insufficient_funds"];
/** A splurge reaches this many standard deviations of ln(total) above the customer's mean, at most. */
const SPLURGE_LOG_STD_DEVS = { min: 1.5, max: 3 };
const MIN_LOG_SPREAD = 0.5;

export type LookalikeBuilder = (kit: CaseKit, nowMs: number) => boolean;

/** Pays with the customer's own card after a person's pause, failing `declines` times first. */
function payWithOwnCard(caseContext: CaseContext, declines = 0) {
  const { random, script } = caseContext;
  return (order: PlacedCaseOrder, placedMs: number) => {
    const card = customerCardFingerprint(order.customer.customer_id, order.orderId);
    let atMs = placedMs + 2 * SECOND_MS + random.exponential(4 * SECOND_MS);
    for (let attempt = 0; attempt < declines; attempt++) {
      const reason = random.pick(typoDeclines);
      script.at(atMs, (nowMs) => pay(caseContext, nowMs, order, card, reason));
      atMs += 20 * SECOND_MS + random.exponential(40 * SECOND_MS);
    }
    script.at(atMs, (nowMs) => pay(caseContext, nowMs, order, card));
  };
}

/** An order like the customer's usual one (or like anyone's, for a customer without history). */
function everydayPlan(kit: CaseKit, customer: OrderPlan["customer"], fallbackTargetUsd: number): OrderPlan | undefined {
  const history = kit.ctx.customerHistory.historyOf(customer.customer_id);
  const targetUsd = history.orders > 0 ? Math.exp(history.meanLogTotal) * kit.random.float(0.5, 1.5) : fallbackTargetUsd;
  const basket = kit.baskets.fill(kit.random, { minUnitUsd: 3, maxUnitUsd: 300, targetUsd, capUsd: 2 * targetUsd, preferredStoreIndex: kit.homeStoreIndex(customer) });
  if (!basket) return undefined;
  return { customer, storeIndex: basket.storeIndex, lines: basket.lines, paymentMethod: "card", billingCountry: customer.country, pace: "person" };
}

/** Someone signs up and, within hours or days, buys something substantial (a TV, a bike). */
const newSignupBigOrder: LookalikeBuilder = (kit, nowMs) => {
  const { random } = kit;
  const customer = kit.signUp(nowMs - 10 * MINUTE_MS - random.exponential(12 * HOUR_MS));
  const basket = kit.baskets.fill(random, { minUnitUsd: 60, maxUnitUsd: 550, targetUsd: random.float(250, 550), capUsd: 600, preferredStoreIndex: kit.homeStoreIndex(customer) });
  if (!basket) return false;
  const caseContext = kit.begin({ benign_lookalike: "new_signup_big_order" });
  const plan: OrderPlan = { customer, storeIndex: basket.storeIndex, lines: basket.lines, paymentMethod: "card", billingCountry: customer.country, pace: "person" };
  shopAndOrder(caseContext, nowMs, plan, payWithOwnCard(caseContext));
  return true;
};

/** A customer abroad has an everyday order sent to where they are staying, paid with their home card. */
const traveller: LookalikeBuilder = (kit, nowMs) => {
  const customer = kit.establishedCustomer() ?? kit.anyCustomer();
  const plan = everydayPlan(kit, customer, kit.random.float(20, 250));
  if (!plan) return false;
  const caseContext = kit.begin({ benign_lookalike: "traveller" });
  shopAndOrder(caseContext, nowMs, { ...plan, shippingCountry: kit.otherCountry(customer.country) }, payWithOwnCard(caseContext));
  return true;
};

/** A regular spends well above their habit, with the card they always use. */
const bigSpender: LookalikeBuilder = (kit, nowMs) => {
  const { random } = kit;
  const customer = kit.establishedCustomer();
  if (!customer) return false;
  const history = kit.ctx.customerHistory.historyOf(customer.customer_id);
  const stdDevs = random.float(SPLURGE_LOG_STD_DEVS.min, SPLURGE_LOG_STD_DEVS.max);
  const targetUsd = Math.exp(history.meanLogTotal + stdDevs * Math.max(history.stdDevLogTotal, MIN_LOG_SPREAD));
  const basket = kit.baskets.fill(random, {
    minUnitUsd: targetUsd / 4,
    maxUnitUsd: targetUsd,
    targetUsd: targetUsd * 0.8,
    capUsd: targetUsd,
    preferredStoreIndex: kit.homeStoreIndex(customer),
  });
  if (!basket) return false;
  const caseContext = kit.begin({ benign_lookalike: "big_spender" });
  const plan: OrderPlan = { customer, storeIndex: basket.storeIndex, lines: basket.lines, paymentMethod: "card", billingCountry: customer.country, pace: "person" };
  shopAndOrder(caseContext, nowMs, plan, payWithOwnCard(caseContext));
  return true;
};

/** A shopper mistypes their card two or three times before it goes through. */
const cardRetry: LookalikeBuilder = (kit, nowMs) => {
  const customer = kit.anyCustomer();
  const plan = everydayPlan(kit, customer, kit.random.float(20, 150));
  if (!plan) return false;
  const caseContext = kit.begin({ benign_lookalike: "card_retry" });
  shopAndOrder(caseContext, nowMs, plan, payWithOwnCard(caseContext, kit.random.int(2, 3)));
  return true;
};

/** A shopper remembers what they forgot and orders again, two or three times within half an hour. */
const repeatBuyer: LookalikeBuilder = (kit, nowMs) => {
  const { random } = kit;
  const customer = kit.anyCustomer();
  const caseContext = kit.begin({ benign_lookalike: "repeat_buyer" });
  const orders = random.int(2, 3);
  let atMs = nowMs;
  let planned = 0;
  for (let index = 0; index < orders; index++) {
    const plan = everydayPlan(kit, customer, random.float(15, 120));
    if (!plan) continue;
    atMs = shopAndOrder(caseContext, atMs, plan, payWithOwnCard(caseContext)) + 2 * MINUTE_MS + random.exponential(6 * MINUTE_MS);
    planned++;
  }
  return planned > 0;
};

export const lookalikeBuilders: Readonly<Record<BenignLookalike, LookalikeBuilder>> = {
  new_signup_big_order: newSignupBigOrder,
  traveller,
  big_spender: bigSpender,
  card_retry: cardRetry,
  repeat_buyer: repeatBuyer,
};
