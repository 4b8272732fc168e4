// How each customer segment behaves in the funnel and after buying. The numbers are tuned so that about
// 3 % of sessions end in an order overall, with VIPs converting several times better than newcomers.
import type { CustomerSegment } from "./catalog.js";

export interface SegmentBehaviour {
  /** how often a customer of this segment starts a session, relative to the others */
  sessionWeight: number;
  /** share of sessions browsing logged in; everyone identifies at checkout */
  loggedInShare: number;
  /** probability of leaving right after the landing page */
  bounceRate: number;
  /** probability of viewing another product rather than moving on (per product view) */
  browseDepth: number;
  /** probability of adding a viewed, in-stock product to the cart */
  addToCartRate: number;
  /** probability of going to checkout right after adding to the cart */
  checkoutRate: number;
  /** probability that a started checkout becomes an order */
  checkoutCompletionRate: number;
  /** exponent on price when choosing products: below 0 favours cheap items, above 0 dear ones */
  priceAffinity: number;
  paymentFailureRate: number;
  /** probability of cancelling a paid order */
  cancelRate: number;
  /** multiplies each category's return rate */
  returnRateFactor: number;
  /** probability of reviewing a kept order */
  reviewRate: number;
  /** orders at or above this subtotal ship free (USD); VIPs always ship free */
  freeShippingFromUsd: number;
}

export const segmentBehaviours: Readonly<Record<CustomerSegment, SegmentBehaviour>> = {
  new: {
    sessionWeight: 0.8, loggedInShare: 0.25, bounceRate: 0.55, browseDepth: 0.5, addToCartRate: 0.04,
    checkoutRate: 0.3, checkoutCompletionRate: 0.45, priceAffinity: -0.1, paymentFailureRate: 0.08,
    cancelRate: 0.04, returnRateFactor: 1.1, reviewRate: 0.06, freeShippingFromUsd: 50,
  },
  regular: {
    sessionWeight: 1, loggedInShare: 0.6, bounceRate: 0.42, browseDepth: 0.55, addToCartRate: 0.055,
    checkoutRate: 0.35, checkoutCompletionRate: 0.55, priceAffinity: 0, paymentFailureRate: 0.05,
    cancelRate: 0.03, returnRateFactor: 1, reviewRate: 0.1, freeShippingFromUsd: 50,
  },
  vip: {
    sessionWeight: 3, loggedInShare: 0.9, bounceRate: 0.3, browseDepth: 0.6, addToCartRate: 0.11,
    checkoutRate: 0.45, checkoutCompletionRate: 0.75, priceAffinity: 0.35, paymentFailureRate: 0.03,
    cancelRate: 0.02, returnRateFactor: 0.9, reviewRate: 0.18, freeShippingFromUsd: 0,
  },
  bargain: {
    sessionWeight: 1.3, loggedInShare: 0.5, bounceRate: 0.4, browseDepth: 0.7, addToCartRate: 0.04,
    checkoutRate: 0.3, checkoutCompletionRate: 0.5, priceAffinity: -0.7, paymentFailureRate: 0.06,
    cancelRate: 0.05, returnRateFactor: 1.3, reviewRate: 0.08, freeShippingFromUsd: 50,
  },
};

export interface PaymentMethodShare {
  method: string;
  share: number;
}

/** Checkout payment methods and how often each is chosen. */
export const paymentMethods: readonly PaymentMethodShare[] = [
  { method: "card", share: 0.66 },
  { method: "paypal", share: 0.16 },
  { method: "apple_pay", share: 0.09 },
  { method: "klarna", share: 0.05 },
  { method: "gift_card", share: 0.04 },
];
