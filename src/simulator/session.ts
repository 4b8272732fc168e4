// One shopper's browsing session as a task: landing page, product views, cart, checkout, order. Each step
// emits one event and decides the next, so drop-off happens where it does in real funnels.
import type { Customer, Product } from "./catalog.js";
import type { SimulationContext } from "./context.js";
import type { PayloadOf } from "./event-writer.js";
import { startOrderLifecycle } from "./order-lifecycle.js";
import { cents, priceOrder, type OrderLine } from "./pricing.js";
import { billingCountries, categoryByName } from "./reference-data.js";
import type { Task } from "./scheduler.js";
import { paymentMethods, segmentBehaviours, type SegmentBehaviour } from "./segments.js";

type BrowsingEventType = "page_view" | "product_view" | "add_to_cart" | "checkout_started";
type Step = "landing" | "page" | "product" | "cart" | "checkout" | "order";

/** Mean time spent on the previous step before taking this one (exponential, plus one second). */
const meanThinkTimeMs: Record<Step, number> = {
  landing: 0,
  page: 12_000,
  product: 20_000,
  cart: 18_000,
  checkout: 35_000,
  order: 70_000,
};

/** Past this many events a session wraps up; real visits are rarely longer. */
const MAX_SESSION_EVENTS = 40;
const MAX_UNITS_PER_LINE = 5;

const devices = ["mobile", "desktop", "tablet"] as const;
const deviceWeights = [0.58, 0.36, 0.06];
/** Landing referrers; undefined is direct traffic (typed URL, bookmark, app). */
const referrers = [
  undefined,
  "https://www.google.com/",
  "https://www.bing.com/",
  "https://www.instagram.com/",
  "https://www.facebook.com/",
  "https://www.tiktok.com/",
  "https://mail.shopstream.example/newsletter",
  "https://deals.example.net/",
] as const;
const referrerWeights = [0.33, 0.3, 0.04, 0.08, 0.06, 0.05, 0.09, 0.05];
const paymentMethodNames = paymentMethods.map((entry) => entry.method);
const paymentMethodWeights = paymentMethods.map((entry) => entry.share);
const COUNTRY_MISMATCH_RATE = 0.015;

export class BrowsingSession implements Task {
  dueMs = 0;
  scheduleOrder = 0;
  private readonly sessionId: string;
  private readonly behaviour: SegmentBehaviour;
  private readonly device: string;
  private loggedIn: boolean;
  private focusCategory: string;
  private nextStep: Step = "landing";
  private eventsEmitted = 0;
  private viewedProductIndex = -1;
  private viewedProductInStock = false;
  /** set when the visitor lands straight on a product page */
  private landingProductIndex = -1;
  private readonly cartProductIndexes: number[] = [];
  private readonly cartQuantities: number[] = [];

  constructor(
    private readonly ctx: SimulationContext,
    private readonly customer: Customer,
    private readonly storeIndex: number,
  ) {
    const random = ctx.random;
    this.sessionId = ctx.ids.next("ss");
    this.behaviour = segmentBehaviours[customer.segment];
    this.device = random.weightedPick(devices, deviceWeights);
    this.loggedIn = random.chance(this.behaviour.loggedInShare);
    this.focusCategory = ctx.products.pickCategory(random);
  }

  fire(nowMs: number): void {
    const step = this.nextStep;
    switch (step) {
      case "landing":
        this.land(nowMs);
        break;
      case "page":
        this.viewPage(nowMs);
        break;
      case "product":
        this.viewProduct(nowMs);
        break;
      case "cart":
        this.addToCart(nowMs);
        break;
      case "checkout":
        this.startCheckout(nowMs);
        break;
      case "order":
        this.placeOrder(nowMs);
        return;
    }
    this.eventsEmitted++;
    const next = this.decideNext(step);
    if (next === "exit") return;
    this.nextStep = next;
    this.ctx.scheduler.schedule(this, nowMs + 1_000 + this.ctx.random.exponential(meanThinkTimeMs[next]));
  }

  private decideNext(done: Step): Step | "exit" {
    const random = this.ctx.random;
    const behaviour = this.behaviour;
    const hasCart = this.cartProductIndexes.length > 0;
    if (this.eventsEmitted >= MAX_SESSION_EVENTS) {
      return hasCart && done !== "checkout" && random.chance(behaviour.checkoutRate) ? "checkout" : "exit";
    }
    const roll = random.next();
    switch (done) {
      case "landing":
        if (random.chance(behaviour.bounceRate)) return "exit";
        return this.landingProductIndex >= 0 || roll < 0.8 ? "product" : "page";
      case "page":
        if (roll < 0.72) return "product";
        if (roll < 0.84) return "page";
        return hasCart && random.chance(0.3) ? "checkout" : "exit";
      case "product":
        if (this.viewedProductInStock && random.chance(behaviour.addToCartRate)) return "cart";
        if (roll < behaviour.browseDepth) return "product";
        if (roll < behaviour.browseDepth + 0.12) return "page";
        return hasCart && random.chance(0.25) ? "checkout" : "exit";
      case "cart":
        if (random.chance(behaviour.checkoutRate)) return "checkout";
        if (roll < 0.6) return "product";
        if (roll < 0.7) return "page";
        return "exit";
      case "checkout":
        return random.chance(behaviour.checkoutCompletionRate) ? "order" : "exit";
      case "order":
        return "exit";
    }
  }

  /** Emits a browsing event; customer_id goes last, and only when known, so no field is ever undefined. */
  private emitBrowsing<K extends BrowsingEventType>(type: K, nowMs: number, payload: PayloadOf<K>): void {
    if (this.loggedIn) (payload as { customer_id?: string }).customer_id = this.customer.customer_id;
    this.ctx.writer.emit(type, nowMs, payload);
  }

  private product(index: number): Product {
    return this.ctx.catalog.products[index] as Product;
  }

  private land(nowMs: number): void {
    const random = this.ctx.random;
    const roll = random.next();
    let page: string;
    if (roll < 0.35) page = "/";
    else if (roll < 0.65) page = `/category/${this.focusCategory}`;
    else if (roll < 0.8) page = this.searchPage();
    else if (roll < 0.9) page = "/deals";
    else {
      this.landingProductIndex = this.ctx.products.pickProduct(random, this.customer.segment, this.focusCategory);
      page = `/product/${this.product(this.landingProductIndex).product_id}`;
    }
    const payload: PayloadOf<"page_view"> = { session_id: this.sessionId, page, device: this.device };
    const referrer = random.weightedPick(referrers, referrerWeights);
    if (referrer !== undefined) payload.referrer = referrer;
    this.emitBrowsing("page_view", nowMs, payload);
  }

  private searchPage(): string {
    const index = this.ctx.products.pickProduct(this.ctx.random, this.customer.segment, this.focusCategory);
    const words = this.product(index).name.toLowerCase().split(" ");
    return `/search?q=${encodeURIComponent(words[words.length - 1] ?? "")}`;
  }

  private viewPage(nowMs: number): void {
    const random = this.ctx.random;
    const roll = random.next();
    let page: string;
    if (this.cartProductIndexes.length > 0 && roll < 0.2) page = "/cart";
    else if (roll < 0.65) {
      // Browsing the category list is how shoppers drift to another category.
      if (random.chance(0.3)) this.focusCategory = this.ctx.products.pickCategory(random);
      page = `/category/${this.focusCategory}`;
    } else if (roll < 0.85) page = this.searchPage();
    else page = "/deals";
    this.emitBrowsing("page_view", nowMs, { session_id: this.sessionId, page, device: this.device });
  }

  private viewProduct(nowMs: number): void {
    const { random, products, stock } = this.ctx;
    let index: number;
    if (this.landingProductIndex >= 0) {
      index = this.landingProductIndex;
      this.landingProductIndex = -1;
    } else {
      index = products.pickProduct(random, this.customer.segment, random.chance(0.7) ? this.focusCategory : undefined);
    }
    const product = this.product(index);
    this.viewedProductIndex = index;
    this.viewedProductInStock = stock.onHand(this.storeIndex, index) > 0;
    this.emitBrowsing("product_view", nowMs, {
      session_id: this.sessionId,
      product_id: product.product_id,
      category: product.category,
      price: product.price,
      in_stock: this.viewedProductInStock,
    });
  }

  private addToCart(nowMs: number): void {
    const random = this.ctx.random;
    const index = this.viewedProductIndex;
    const product = this.product(index);
    const multiUnitBias = categoryByName.get(product.category)?.multiUnitBias ?? 0;
    let quantity = 1;
    while (quantity < MAX_UNITS_PER_LINE && random.chance(0.22 + multiUnitBias)) quantity++;
    // The shop will not sell more than the shelf holds.
    quantity = Math.max(1, Math.min(quantity, this.ctx.stock.onHand(this.storeIndex, index)));
    const line = this.cartProductIndexes.indexOf(index);
    if (line >= 0) this.cartQuantities[line] = (this.cartQuantities[line] ?? 0) + quantity;
    else {
      this.cartProductIndexes.push(index);
      this.cartQuantities.push(quantity);
    }
    this.emitBrowsing("add_to_cart", nowMs, {
      session_id: this.sessionId,
      product_id: product.product_id,
      quantity,
      unit_price: product.price,
    });
  }

  private startCheckout(nowMs: number): void {
    let cartValueUsd = 0;
    let itemCount = 0;
    this.cartProductIndexes.forEach((index, line) => {
      const quantity = this.cartQuantities[line] ?? 0;
      cartValueUsd += quantity * this.product(index).price;
      itemCount += quantity;
    });
    // Checkout requires an account or a guest sign-in, so from here the shopper is known.
    this.loggedIn = true;
    this.emitBrowsing("checkout_started", nowMs, { session_id: this.sessionId, cart_value: cents(cartValueUsd), item_count: itemCount });
  }

  private placeOrder(nowMs: number): void {
    const { random, stock, catalog } = this.ctx;
    // Other sessions may have emptied the shelf since the add to cart: sell what is left, or nothing.
    const lines: OrderLine[] = [];
    this.cartProductIndexes.forEach((index, line) => {
      const taken = stock.take(this.storeIndex, index, this.cartQuantities[line] ?? 0);
      if (taken > 0) lines.push({ productIndex: index, quantity: taken, unitPriceUsd: this.product(index).price });
    });
    if (lines.length === 0) return;

    const price = priceOrder(lines, this.customer, this.behaviour);
    const paymentMethod = random.weightedPick(paymentMethodNames, paymentMethodWeights);
    const billingCountry = random.chance(COUNTRY_MISMATCH_RATE)
      ? random.pick(billingCountries.filter((country) => country !== this.customer.country))
      : this.customer.country;
    const orderId = this.ctx.ids.next("or");
    const store = catalog.stores[this.storeIndex] as (typeof catalog.stores)[number];
    this.ctx.writer.emit("order_placed", nowMs, {
      order_id: orderId,
      customer_id: this.customer.customer_id,
      session_id: this.sessionId,
      store_id: store.store_id,
      currency: "USD",
      items: lines.map((line) => ({
        product_id: this.product(line.productIndex).product_id,
        quantity: line.quantity,
        unit_price: line.unitPriceUsd,
      })),
      subtotal: price.subtotalUsd,
      shipping: price.shippingUsd,
      tax: price.taxUsd,
      total: price.totalUsd,
      payment_method: paymentMethod,
      shipping_country: this.customer.country,
      billing_country: billingCountry,
      device: this.device,
      account_created_at: this.customer.signed_up_at,
    });
    this.ctx.customerHistory.recordOrder(this.customer, price.totalUsd);
    startOrderLifecycle(this.ctx, nowMs, {
      orderId,
      customer: this.customer,
      behaviour: this.behaviour,
      storeIndex: this.storeIndex,
      lines,
      totalUsd: price.totalUsd,
      paymentMethod,
      countriesMismatch: billingCountry !== this.customer.country,
    });
  }
}
