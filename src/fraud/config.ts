// The fraud function's config: the alert threshold, how late an event may arrive, and one section per
// rule with its thresholds and weights. Windows are in event time (occurred_at). Amounts are in the
// order currency: the thresholds assume one shop currency. The pipeline YAML's `fraud` section is checked
// against this schema; cross-field rules are checked by resolveFraudConfig.
import { Type, type Static } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { Value } from "@sinclair/typebox/value";
import { ConfigError } from "../errors/index.js";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

const weight = (defaultValue: number, description: string) =>
  Type.Number({ minimum: 0, maximum: 1, default: defaultValue, description: `${description}, from 0 to 1` });
const enabled = (rule: string) => Type.Boolean({ default: true, description: `evaluate ${rule}` });
const windowMs = (defaultValue: number, what: string) =>
  Type.Integer({ minimum: 1_000, maximum: 7 * DAY_MS, default: defaultValue, description: `length of the event-time window ${what} are counted in, in ms` });

/** A rule that fires when a count in a sliding window reaches a minimum, and weighs more the higher it goes. */
function countRuleSchema(what: string, defaults: { windowMs: number; minCount: number; weightAtMin: number; weightPerExtra: number; maxWeight: number }, description: string) {
  return Type.Object(
    {
      enabled: enabled(description),
      windowMs: windowMs(defaults.windowMs, what),
      minCount: Type.Integer({ minimum: 2, maximum: 10_000, default: defaults.minCount, description: `${what} in one window, per customer or per card, that make the rule fire` }),
      weightAtMin: weight(defaults.weightAtMin, `weight at minCount ${what}`),
      weightPerExtra: weight(defaults.weightPerExtra, `weight added for each of the ${what} beyond minCount`),
      maxWeight: weight(defaults.maxWeight, "the most this rule weighs"),
    },
    { additionalProperties: false, default: {}, description },
  );
}

export const fraudConfigSchema = Type.Object(
  {
    alertThreshold: Type.Number({
      minimum: 0.01,
      maximum: 1,
      default: 0.7,
      description: "an order whose score (the reasons' weights combined as independent evidence: 1 − Π(1 − weight)) reaches this raises one alert",
    }),
    allowedLatenessMs: Type.Integer({
      minimum: 0,
      maximum: 30 * DAY_MS,
      default: HOUR_MS,
      description:
        "how long after the longest window the state an event needs is kept, in ms of event time: a later event still gets a score, " +
        "but its windows may miss what was already pruned",
    }),
    orderVelocity: countRuleSchema(
      "orders",
      { windowMs: 30 * MINUTE_MS, minCount: 4, weightAtMin: 0.65, weightPerExtra: 0.1, maxWeight: 0.95 },
      "velocity: many orders by one customer, or paid with one card, in a short window",
    ),
    failedPaymentVelocity: countRuleSchema(
      "failed payments",
      { windowMs: 10 * MINUTE_MS, minCount: 3, weightAtMin: 0.3, weightPerExtra: 0.1, maxWeight: 0.9 },
      "velocity: many failed payments by one customer, or on one card, in a short window",
    ),
    cardTesting: Type.Object(
      {
        enabled: enabled("card testing"),
        windowMs: windowMs(10 * MINUTE_MS, "small failed payments"),
        maxAmount: Type.Number({ minimum: 0, maximum: 1e9, default: 50, description: "a payment of at most this amount is small" }),
        minFailures: Type.Integer({ minimum: 2, maximum: 10_000, default: 4, description: "small failed payments by one customer in one window that make the rule fire" }),
        minDistinctCards: Type.Integer({ minimum: 1, maximum: 10_000, default: 3, description: "…on at least this many different cards" }),
        weight: weight(0.9, "weight of the reason"),
      },
      { additionalProperties: false, default: {}, description: "card testing: a burst of small failed payments on many cards by one customer" },
    ),
    amountAnomaly: Type.Object(
      {
        enabled: enabled("amount anomalies"),
        minHistoryOrders: Type.Integer({ minimum: 2, maximum: 10_000, default: 3, description: "earlier orders a customer needs before their amounts are judged" }),
        minLogStdDev: Type.Number({
          minimum: 0.01,
          maximum: 10,
          default: 0.5,
          description: "the spread of ln(total) assumed at least, so that a customer with near-equal orders is not flagged for a modestly bigger one",
        }),
        minZScore: Type.Number({ minimum: 0, maximum: 100, default: 3, description: "z-score of ln(total) against the customer's earlier orders at which the rule fires" }),
        weightAtMinZScore: weight(0.4, "weight at minZScore"),
        strongZScore: Type.Number({
          minimum: 0,
          maximum: 100,
          default: 5,
          description: "z-score at which the weight reaches weightAtStrongZScore (linear in between, flat beyond)",
        }),
        weightAtStrongZScore: weight(0.75, "weight at strongZScore and above"),
      },
      { additionalProperties: false, default: {}, description: "an order total anomalous for the customer's history (z-score of the log amount)" },
    ),
    newAccountHighValue: Type.Object(
      {
        enabled: enabled("new accounts placing high-value orders"),
        maxAccountAgeMs: Type.Integer({
          minimum: 0,
          maximum: 365 * DAY_MS,
          default: DAY_MS,
          description: "an account younger than this at the order (account_created_at of order_placed) is new, in ms",
        }),
        minTotal: Type.Number({ minimum: 0, maximum: 1e9, default: 500, description: "an order total from which a new account's order is high-value" }),
        weightAtMinTotal: weight(0.55, "weight at minTotal"),
        weightPerDoubling: weight(0.2, "weight added each time the total doubles beyond minTotal"),
        maxWeight: weight(0.9, "the most this rule weighs"),
      },
      { additionalProperties: false, default: {}, description: "a new account placing a high-value order" },
    ),
    countryMismatch: Type.Object(
      {
        enabled: enabled("shipping and billing country mismatches"),
        weight: weight(0.35, "weight when the countries differ: gifts and travellers do this too"),
        highValueTotal: Type.Number({ minimum: 0, maximum: 1e9, default: 500, description: "an order total from which a mismatch weighs highValueWeight" }),
        highValueWeight: weight(0.75, "weight when the countries differ on an order of at least highValueTotal"),
      },
      { additionalProperties: false, default: {}, description: "shipping and billing countries that differ" },
    ),
    unfamiliarCard: Type.Object(
      {
        enabled: enabled("cards new to an established customer"),
        minHistoryOrders: Type.Integer({ minimum: 1, maximum: 10_000, default: 3, description: "earlier orders a customer needs before a new card is unfamiliar" }),
        weight: weight(0.4, "weight when an established customer who has paid by card before pays with a card never seen on their account"),
      },
      { additionalProperties: false, default: {}, description: "a card never seen on an established customer's account" },
    ),
  },
  { additionalProperties: false, default: {}, description: "fraud detection on orders and payments: rules, weights and the alert threshold" },
);
export type FraudConfig = Static<typeof fraudConfigSchema>;

type DeepPartial<T> = T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
/** A `fraud` section as written: fields with defaults may be left out. */
export type FraudConfigInput = DeepPartial<FraudConfig>;

const checkFraudConfig = TypeCompiler.Compile(fraudConfigSchema);

/** Fills the defaults in and checks the section, including what one field says about another. */
export function resolveFraudConfig(input: FraudConfigInput = {}): FraudConfig {
  const config = Value.Default(fraudConfigSchema, structuredClone(input));
  const first = checkFraudConfig.Errors(config).First();
  if (first) throw new ConfigError(`fraud${first.path.replaceAll("/", ".")}: ${first.message.toLowerCase()}`);
  const resolved = config as FraudConfig;
  const problems: string[] = [];
  const { amountAnomaly, orderVelocity, failedPaymentVelocity, newAccountHighValue } = resolved;
  if (amountAnomaly.strongZScore < amountAnomaly.minZScore) problems.push("fraud.amountAnomaly.strongZScore: must be at least minZScore");
  for (const [name, rule] of [["orderVelocity", orderVelocity], ["failedPaymentVelocity", failedPaymentVelocity]] as const) {
    if (rule.maxWeight < rule.weightAtMin) problems.push(`fraud.${name}.maxWeight: must be at least weightAtMin`);
  }
  if (newAccountHighValue.maxWeight < newAccountHighValue.weightAtMinTotal) problems.push("fraud.newAccountHighValue.maxWeight: must be at least weightAtMinTotal");
  if (problems.length > 0) throw new ConfigError(problems.join("\n"));
  return resolved;
}

/** How much event time the state must cover: the longest window, plus the allowed lateness. */
export function stateRetentionMs(config: FraudConfig): number {
  return Math.max(config.orderVelocity.windowMs, config.failedPaymentVelocity.windowMs, config.cardTesting.windowMs) + config.allowedLatenessMs;
}
