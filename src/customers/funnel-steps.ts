// The purchase funnel, in order, and the bit each step has in a session's `funnel_steps` mask. A mask
// keeps every step a session reached, so both funnels can be read from it: the strict one (every earlier
// step too) and the open one (this step, whatever the path).
import type { EventType } from "../events/index.js";

export const FUNNEL_STEPS = ["page_view", "product_view", "add_to_cart", "checkout_started", "order_placed", "payment_authorized"] as const satisfies readonly EventType[];
export type FunnelStep = (typeof FUNNEL_STEPS)[number];

const BITS = new Map<string, number>(FUNNEL_STEPS.map((step, index) => [step, 1 << index]));

/** The step's bit, or 0 for an event type that is not a funnel step. */
export function funnelBit(type: string): number {
  return BITS.get(type) ?? 0;
}

/** The bits of a step and every step before it. */
export function funnelPrefixMask(stepIndex: number): number {
  return (1 << (stepIndex + 1)) - 1;
}

export const ORDER_PLACED_BIT = funnelBit("order_placed");
export const PAYMENT_AUTHORIZED_BIT = funnelBit("payment_authorized");
