// The fraud the simulator injects, one builder per pattern. Each schedules a labelled case from `nowMs`
// and returns false when it cannot run now (no established customer yet, nothing suitable in stock).
// The shapes follow what fraud teams see: card testers try many stolen cards on a cheap item; a stolen
// card buys fast and often; a taken-over account or a brand-new one buys expensive, resellable goods.
import { unseenCardFingerprint } from "./cards.js";
import type { CaseKit } from "./case-kit.js";
import { cancelUnpaid, pay, shopAndOrder, type CaseContext, type PlacedCaseOrder } from "./case-shopper.js";
import type { FraudPattern } from "./simulation-label.js";

const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;

/** Card testers try one card after another within seconds; issuers decline most. */
const testingDeclines = ["card_declined", "incorrect_cvc", "expired_card", "insufficient_funds", "invalid_number"];
/** The dearest item a card tester buys: anything that gets a card to the authorization step. */
const CARD_TEST_MAX_UNIT_USD = 12;
/** Stolen cards are spent on goods that resell: nothing cheaper than this per unit. */
const RESELLABLE_MIN_UNIT_USD = 80;
const MOST_EXPENSIVE_UNIT_USD = 2_500;
/**
 * An account takeover spends this many standard deviations (of ln(total)) above the customer's mean,
 * with the spread taken as at least MIN_LOG_SPREAD: customers with three near-equal orders still get
 * a realistic distance, not an infinite one.
 */
const OUTLIER_LOG_STD_DEVS = 5.5;
const MIN_LOG_SPREAD = 0.5;

export type FraudBuilder = (kit: CaseKit, nowMs: number) => boolean;

/** Pays the order a few seconds after it is placed, with `card`. */
function payPromptly(caseContext: CaseContext, card: string) {
  return (order: PlacedCaseOrder, placedMs: number) =>
    caseContext.script.at(placedMs + 2 * SECOND_MS + caseContext.random.exponential(5 * SECOND_MS), (nowMs) => pay(caseContext, nowMs, order, card));
}

/** A throwaway account buys the cheapest thing and tries card after card until one goes through. */
const cardTesting: FraudBuilder = (kit, nowMs) => {
  const { random } = kit;
  const customer = kit.signUp(nowMs - MINUTE_MS - random.exponential(5 * MINUTE_MS));
  const basket = kit.baskets.fill(random, { minUnitUsd: 0, maxUnitUsd: CARD_TEST_MAX_UNIT_USD, targetUsd: 0, preferredStoreIndex: kit.homeStoreIndex(customer) });
  if (!basket) return false;
  const caseContext = kit.begin({ fraud_pattern: "card_testing" });
  const plan = { customer, storeIndex: basket.storeIndex, lines: basket.lines, paymentMethod: "card", billingCountry: customer.country, pace: "bot" as const };
  shopAndOrder(caseContext, nowMs, plan, (order, placedMs) => {
    const attempts = random.int(6, 14);
    const oneCardWorks = random.chance(0.25);
    let atMs = placedMs;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      atMs += 3 * SECOND_MS + random.exponential(15 * SECOND_MS);
      const card = unseenCardFingerprint(random);
      const decline = attempt === attempts && oneCardWorks ? undefined : random.pick(testingDeclines);
      caseContext.script.at(atMs, (stepMs) => pay(caseContext, stepMs, order, card, decline));
    }
    if (!oneCardWorks) caseContext.script.at(atMs + 10 * MINUTE_MS + random.exponential(20 * MINUTE_MS), (stepMs) => cancelUnpaid(caseContext, stepMs, order));
  });
  return true;
};

/** One stolen card, five to eight orders in a quarter of an hour, over one to three accounts. */
const velocity: FraudBuilder = (kit, nowMs) => {
  const { random } = kit;
  const accounts = Array.from({ length: random.int(1, 3) }, () => kit.anyCustomer());
  const card = unseenCardFingerprint(random);
  const caseContext = kit.begin({ fraud_pattern: "velocity" });
  const orders = random.int(5, 8);
  let atMs = nowMs;
  let planned = 0;
  for (let index = 0; index < orders; index++) {
    const customer = accounts[index % accounts.length] ?? kit.anyCustomer();
    const basket = kit.baskets.fill(random, { minUnitUsd: 25, maxUnitUsd: 400, targetUsd: random.float(60, 300), preferredStoreIndex: kit.homeStoreIndex(customer) });
    if (!basket) continue;
    const plan = { customer, storeIndex: basket.storeIndex, lines: basket.lines, paymentMethod: "card", billingCountry: customer.country, pace: "bot" as const };
    atMs = shopAndOrder(caseContext, atMs, plan, payPromptly(caseContext, card)) + 20 * SECOND_MS + random.exponential(60 * SECOND_MS);
    planned++;
  }
  return planned > 0;
};

/** A taken-over account with a modest history suddenly buys far above anything it bought before. */
const amountOutlier: FraudBuilder = (kit, nowMs) => {
  const { random } = kit;
  const customer = kit.establishedCustomer();
  if (!customer) return false;
  const history = kit.ctx.customerHistory.historyOf(customer.customer_id);
  const targetUsd = Math.max(
    400,
    Math.exp(history.meanLogTotal + OUTLIER_LOG_STD_DEVS * Math.max(history.stdDevLogTotal, MIN_LOG_SPREAD)),
  );
  if (targetUsd > 3 * MOST_EXPENSIVE_UNIT_USD) return false;
  const basket = kit.baskets.fill(random, {
    minUnitUsd: Math.min(targetUsd / 9, MOST_EXPENSIVE_UNIT_USD / 2),
    maxUnitUsd: MOST_EXPENSIVE_UNIT_USD,
    targetUsd,
    preferredStoreIndex: kit.homeStoreIndex(customer),
  });
  if (!basket || basket.valueUsd < targetUsd) return false;
  const caseContext = kit.begin({ fraud_pattern: "amount_outlier" });
  const plan = { customer, storeIndex: basket.storeIndex, lines: basket.lines, paymentMethod: "card", billingCountry: customer.country, pace: "bot" as const };
  shopAndOrder(caseContext, nowMs, plan, payPromptly(caseContext, unseenCardFingerprint(random)));
  return true;
};

/** An account opened minutes ago places a four-figure order; half the time the card is foreign. */
const newAccountHighValue: FraudBuilder = (kit, nowMs) => {
  const { random } = kit;
  const customer = kit.signUp(nowMs - 2 * MINUTE_MS - random.exponential(10 * MINUTE_MS));
  const targetUsd = random.float(1_000, 2_500);
  const basket = kit.baskets.fill(random, { minUnitUsd: 150, maxUnitUsd: MOST_EXPENSIVE_UNIT_USD, targetUsd, preferredStoreIndex: kit.homeStoreIndex(customer) });
  if (!basket || basket.valueUsd < 1_000) return false;
  const caseContext = kit.begin({ fraud_pattern: "new_account_high_value" });
  const billingCountry = random.chance(0.5) ? kit.otherCountry(customer.country) : customer.country;
  const plan = { customer, storeIndex: basket.storeIndex, lines: basket.lines, paymentMethod: "card", billingCountry, pace: "bot" as const };
  shopAndOrder(caseContext, nowMs, plan, payPromptly(caseContext, unseenCardFingerprint(random)));
  return true;
};

/** A card issued abroad buys resellable goods for delivery to a shopper's address. */
const countryMismatch: FraudBuilder = (kit, nowMs) => {
  const { random } = kit;
  const customer = kit.anyCustomer();
  const basket = kit.baskets.fill(random, {
    minUnitUsd: RESELLABLE_MIN_UNIT_USD,
    maxUnitUsd: MOST_EXPENSIVE_UNIT_USD,
    targetUsd: random.float(500, 1_500),
    preferredStoreIndex: kit.homeStoreIndex(customer),
  });
  if (!basket || basket.valueUsd < 500) return false;
  const caseContext = kit.begin({ fraud_pattern: "country_mismatch" });
  const plan = { customer, storeIndex: basket.storeIndex, lines: basket.lines, paymentMethod: "card", billingCountry: kit.otherCountry(customer.country), pace: "bot" as const };
  shopAndOrder(caseContext, nowMs, plan, payPromptly(caseContext, unseenCardFingerprint(random)));
  return true;
};

export const fraudBuilders: Readonly<Record<FraudPattern, FraudBuilder>> = {
  card_testing: cardTesting,
  velocity,
  amount_outlier: amountOutlier,
  new_account_high_value: newAccountHighValue,
  country_mismatch: countryMismatch,
};
