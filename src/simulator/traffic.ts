// The traffic generator: shoppers arrive (more in the evening than at night), browse, buy, pay, return and
// review, while stores report stock every shop hour. A small share of labelled cases, fraud and honest
// look-alikes, is mixed in. One seed gives one byte-identical event stream.
import type { ShopEvent } from "../events/index.js";
import { CaseArrivals } from "./case-arrivals.js";
import { CaseKit } from "./case-kit.js";
import { customerSegments, generateCatalog, type Catalog, type Customer } from "./catalog.js";
import type { SimulationContext } from "./context.js";
import { CustomerHistory } from "./customer-history.js";
import { EventWriter } from "./event-writer.js";
import { IdSequence } from "./ids.js";
import { ProductChooser } from "./product-chooser.js";
import { Random, WeightedPicker, deriveSeed, hash32 } from "./random.js";
import { Scheduler, type Task } from "./scheduler.js";
import { segmentBehaviours } from "./segments.js";
import { BrowsingSession } from "./session.js";
import { StockLedger } from "./stock-ledger.js";
import { StockReport } from "./stock-report.js";

/** Monday 5 January 2026, 08:00 UTC: fixed, so a seed alone decides the stream. */
export const DEFAULT_TRAFFIC_START_MS = Date.UTC(2026, 0, 5, 8);
export const DEFAULT_EVENTS_PER_SHOP_HOUR = 20_000;
export const DEFAULT_SNAPSHOT_INTERVAL_MS = 3_600_000;
export const DEFAULT_LIVE_SPEED = 60;

/**
 * Events one session yields on average, its order's payments, cancellations, returns and reviews
 * included. Measured over long runs (traffic.test.ts keeps it honest); it turns an event volume into a
 * session arrival rate.
 */
export const MEAN_EVENTS_PER_SESSION = 3.39;

/**
 * Fraud cases per shopper session by default. One session in 500 makes about one order in eight fraud:
 * a shop under attack, so that a run of a few hundred thousand events holds enough cases to measure
 * detection on.
 */
export const DEFAULT_FRAUD_RATE = 0.002;

/**
 * Events one injected case yields on average (fraud and look-alikes alike), measured like
 * MEAN_EVENTS_PER_SESSION; with it the injected cases come out of the volume budget, not on top of it.
 */
export const MEAN_EVENTS_PER_CASE = 15;

/** Orders after which a customer has a history to be judged against (amount outliers, their own cards). */
const ESTABLISHED_AFTER_ORDERS = 3;

const HOUR_MS = 3_600_000;
/** The shop's customers are mostly in the US; its day follows US Eastern time (UTC−5). */
const SHOP_UTC_OFFSET_HOURS = -5;
/** Sessions fulfilled by the customer's home store; the rest ship from anywhere with stock. */
const HOME_STORE_SHARE = 0.9;

export interface TrafficOptions {
  /** the traffic seed: who shows up and what they do (the catalog has its own seed) */
  seed: number;
  /** the world they shop in; default generateCatalog() with the default catalog seed, as the server uses */
  catalog?: Catalog;
  /** shop time of the first event, ms since the epoch; default DEFAULT_TRAFFIC_START_MS */
  startMs?: number;
  /** live mode: shop-time ms per real ms. With ratePerSec it sets how busy the shop is. */
  speed?: number;
  /** live mode: events per real second the caller will draw */
  ratePerSec?: number;
  /**
   * how busy the shop is, in events per shop hour (snapshots included); default ratePerSec × 3600 / speed
   * when both are given, else DEFAULT_EVENTS_PER_SHOP_HOUR
   */
  eventsPerShopHour?: number;
  /**
   * how often each store reports its stock, in shop time; default one hour, stretched when store reports
   * would otherwise be more than a quarter of the events (a low live rate with a big catalog)
   */
  snapshotIntervalMs?: number;
  /**
   * fraud cases per shopper session, each labelled in its events' `simulation` payload field; as many
   * benign look-alike cases are mixed in. 0 turns injection off. Default DEFAULT_FRAUD_RATE.
   */
  fraudRate?: number;
}

export interface TrafficStats {
  sessionsStarted: number;
  ordersPlaced: number;
  eventsEmitted: number;
  /** tasks waiting on the clock: live sessions, orders awaiting payment or after-sale steps, store reports */
  pendingTasks: number;
  /** injected fraud cases started so far */
  fraudCasesStarted: number;
  /** injected benign look-alike cases started so far */
  lookalikeCasesStarted: number;
}

export interface TrafficGenerator extends Iterable<ShopEvent> {
  readonly seed: number;
  readonly catalog: Catalog;
  readonly startMs: number;
  readonly speed: number;
  readonly eventsPerShopHour: number;
  readonly snapshotIntervalMs: number;
  readonly fraudRate: number;
  /** part of every id this stream hands out: the seed and a hash of the other options */
  readonly runTag: string;
  /** shop time of the latest event produced */
  readonly shopTimeMs: number;
  next(): ShopEvent;
  /** the next `count` events, in non-decreasing occurred_at order */
  take(count: number): ShopEvent[];
  /** A delivery reached a store (from the truck dispatcher): later snapshots and orders see the stock. */
  applyReplenishment(storeId: string, productId: string, quantity: number): number;
  onHand(storeId: string, productId: string): number;
  stats(): TrafficStats;
}

export function createTrafficGenerator(options: TrafficOptions): TrafficGenerator {
  return new TrafficStream(options);
}

/** The first `count` events of the stream `options` describe. */
export function generateEvents(options: TrafficOptions, count: number): ShopEvent[] {
  return createTrafficGenerator(options).take(count);
}

/** Shoppers per hour swing from about half the daily mean before dawn to one and a half times at 8 pm. */
export function trafficIntensityAt(shopTimeMs: number): number {
  const hourOfDay = (((shopTimeMs / HOUR_MS + SHOP_UTC_OFFSET_HOURS) % 24) + 24) % 24;
  return 1 + 0.55 * Math.cos((2 * Math.PI * (hourOfDay - 20)) / 24);
}

/** Store reports beyond this share of the volume would crowd out the shoppers. */
const MAX_SNAPSHOT_SHARE = 0.25;

/** One hour, or longer (in whole minutes) when hourly reports would exceed MAX_SNAPSHOT_SHARE of the events. */
function defaultSnapshotIntervalMs(snapshotsPerReportRound: number, eventsPerShopHour: number): number {
  const shortestMs = (snapshotsPerReportRound * HOUR_MS) / (MAX_SNAPSHOT_SHARE * eventsPerShopHour);
  return Math.max(DEFAULT_SNAPSHOT_INTERVAL_MS, Math.ceil(shortestMs / 60_000) * 60_000);
}

function requirePositive(name: string, value: number, minimum = Number.MIN_VALUE): number {
  if (!Number.isFinite(value) || value < minimum) throw new RangeError(`${name} must be a number >= ${minimum}, got ${value}`);
  return value;
}

class TrafficStream implements TrafficGenerator {
  readonly seed: number;
  readonly catalog: Catalog;
  readonly startMs: number;
  readonly speed: number;
  readonly eventsPerShopHour: number;
  readonly snapshotIntervalMs: number;
  readonly fraudRate: number;
  readonly runTag: string;
  private readonly ctx: SimulationContext;
  private readonly cases: CaseArrivals | undefined;
  private lastEventMs: number;

  constructor(options: TrafficOptions) {
    if (!Number.isSafeInteger(options.seed)) throw new RangeError(`seed must be an integer, got ${options.seed}`);
    this.seed = options.seed;
    this.catalog = options.catalog ?? generateCatalog();
    this.startMs = requirePositive("startMs", options.startMs ?? DEFAULT_TRAFFIC_START_MS, 0);
    this.speed = requirePositive("speed", options.speed ?? DEFAULT_LIVE_SPEED);
    this.eventsPerShopHour = requirePositive(
      "eventsPerShopHour",
      options.eventsPerShopHour ??
        (options.ratePerSec !== undefined ? (requirePositive("ratePerSec", options.ratePerSec) * 3_600) / this.speed : DEFAULT_EVENTS_PER_SHOP_HOUR),
    );
    const { products, stores, customers } = this.catalog;
    this.snapshotIntervalMs =
      options.snapshotIntervalMs === undefined
        ? defaultSnapshotIntervalMs(stores.length * products.length, this.eventsPerShopHour)
        : requirePositive("snapshotIntervalMs", options.snapshotIntervalMs, 1_000);
    this.fraudRate = options.fraudRate ?? DEFAULT_FRAUD_RATE;
    if (!(this.fraudRate >= 0 && this.fraudRate <= 0.5)) throw new RangeError(`fraudRate must be a number from 0 to 0.5, got ${options.fraudRate}`);
    this.lastEventMs = this.startMs;

    this.runTag = `${this.seed}-${(
      hash32(JSON.stringify([this.catalog.seed, products.length, stores.length, customers.length, this.startMs, this.eventsPerShopHour, this.snapshotIntervalMs, this.fraudRate])) %
      36 ** 4
    )
      .toString(36)
      .padStart(4, "0")}`;
    const ids = new IdSequence(this.runTag);
    const scheduler = new Scheduler(this.startMs);
    this.ctx = {
      random: new Random(deriveSeed(this.seed, "traffic")),
      catalog: this.catalog,
      scheduler,
      writer: new EventWriter(ids),
      ids,
      stock: new StockLedger(this.catalog),
      customerHistory: new CustomerHistory(ESTABLISHED_AFTER_ORDERS),
      products: new ProductChooser(this.catalog),
      storeIndexById: new Map(stores.map((store, index) => [store.store_id, index])),
      productIndexById: new Map(products.map((product, index) => [product.product_id, index])),
    };

    // Snapshots are a fixed cost per shop hour; sessions get the rest of the volume, but never less than a
    // fifth, so a small rate with a big catalog still shows shoppers.
    const snapshotEventsPerHour = ((stores.length * products.length) * HOUR_MS) / this.snapshotIntervalMs;
    const sessionEventsPerHour = Math.max(this.eventsPerShopHour - snapshotEventsPerHour, 0.2 * this.eventsPerShopHour);
    // Each session brings 2 × fraudRate injected cases along (fraud and look-alikes), in the same budget.
    const casesPerSession = 2 * this.fraudRate;
    const sessionsPerHour = sessionEventsPerHour / (MEAN_EVENTS_PER_SESSION + casesPerSession * MEAN_EVENTS_PER_CASE);
    scheduler.schedule(new ShopperArrivals(this.ctx, sessionsPerHour), this.startMs);
    if (casesPerSession > 0) {
      const kit = new CaseKit(this.ctx, new Random(deriveSeed(this.seed, "fraud")));
      this.cases = new CaseArrivals(kit, casesPerSession * sessionsPerHour, trafficIntensityAt);
      scheduler.schedule(this.cases, this.startMs + kit.random.exponential(HOUR_MS / (casesPerSession * sessionsPerHour)));
    }
    stores.forEach((_, storeIndex) => {
      const report = new StockReport(this.ctx, storeIndex, this.snapshotIntervalMs);
      scheduler.schedule(report, this.startMs + (storeIndex * this.snapshotIntervalMs) / stores.length);
    });
  }

  get shopTimeMs(): number {
    return this.lastEventMs;
  }

  next(): ShopEvent {
    const { writer, scheduler } = this.ctx;
    // The arrival task always reschedules itself, so the scheduler never runs dry.
    while (writer.queued === 0) scheduler.fireNext();
    this.lastEventMs = scheduler.nowMs;
    return writer.shift() as ShopEvent;
  }

  take(count: number): ShopEvent[] {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
    const events = new Array<ShopEvent>(count);
    for (let index = 0; index < count; index++) events[index] = this.next();
    return events;
  }

  *[Symbol.iterator](): Iterator<ShopEvent> {
    for (;;) yield this.next();
  }

  applyReplenishment(storeId: string, productId: string, quantity: number): number {
    const [storeIndex, productIndex] = this.indexes(storeId, productId);
    if (!Number.isInteger(quantity) || quantity < 1) throw new RangeError(`quantity must be a positive integer, got ${quantity}`);
    this.ctx.stock.put(storeIndex, productIndex, quantity);
    return this.ctx.stock.onHand(storeIndex, productIndex);
  }

  onHand(storeId: string, productId: string): number {
    const [storeIndex, productIndex] = this.indexes(storeId, productId);
    return this.ctx.stock.onHand(storeIndex, productIndex);
  }

  stats(): TrafficStats {
    return {
      sessionsStarted: this.ctx.ids.count("ss"),
      ordersPlaced: this.ctx.ids.count("or"),
      eventsEmitted: this.ctx.ids.count("ev") - this.ctx.writer.queued,
      pendingTasks: this.ctx.scheduler.pending,
      fraudCasesStarted: this.cases?.started.fraud ?? 0,
      lookalikeCasesStarted: this.cases?.started.lookalike ?? 0,
    };
  }

  private indexes(storeId: string, productId: string): [number, number] {
    const storeIndex = this.ctx.storeIndexById.get(storeId);
    if (storeIndex === undefined) throw new RangeError(`unknown store ${storeId}`);
    const productIndex = this.ctx.productIndexById.get(productId);
    if (productIndex === undefined) throw new RangeError(`unknown product ${productId}`);
    return [storeIndex, productIndex];
  }
}

/** The arrival process: a Poisson stream of shoppers whose rate follows the time of day. */
class ShopperArrivals implements Task {
  dueMs = 0;
  scheduleOrder = 0;
  private readonly segmentPicker: WeightedPicker<Customer[]>;

  constructor(
    private readonly ctx: SimulationContext,
    private readonly sessionsPerHour: number,
  ) {
    const bySegment = customerSegments.map((segment) => ctx.catalog.customers.filter((customer) => customer.segment === segment));
    // Loyal shoppers visit more often than their head count suggests.
    this.segmentPicker = new WeightedPicker(
      bySegment,
      bySegment.map((members, index) => members.length * segmentBehaviours[customerSegments[index] ?? "regular"].sessionWeight),
    );
  }

  fire(nowMs: number): void {
    const { random, scheduler, catalog, storeIndexById } = this.ctx;
    const customer = random.pick(this.segmentPicker.pick(random));
    const storeIndex = random.chance(HOME_STORE_SHARE)
      ? (storeIndexById.get(customer.home_store_id) ?? 0)
      : random.int(0, catalog.stores.length - 1);
    scheduler.schedule(new BrowsingSession(this.ctx, customer, storeIndex), nowMs);
    scheduler.schedule(this, nowMs + random.exponential(HOUR_MS / (this.sessionsPerHour * trafficIntensityAt(nowMs))));
  }
}
