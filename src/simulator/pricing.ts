// What an order costs: line subtotal, shipping and sales tax, rounded to cents the way a checkout does.
import type { Customer } from "./catalog.js";
import { storeCities } from "./reference-data.js";
import type { SegmentBehaviour } from "./segments.js";

export interface OrderLine {
  productIndex: number;
  quantity: number;
  unitPriceUsd: number;
}

export interface OrderPrice {
  subtotalUsd: number;
  shippingUsd: number;
  taxUsd: number;
  totalUsd: number;
}

const DOMESTIC_SHIPPING_USD = 5.99;
const INTERNATIONAL_SHIPPING_USD = 24.99;
const salesTaxByCity = new Map(storeCities.map((site) => [site.name, site.salesTaxRate]));

export const cents = (usd: number): number => Math.round(usd * 100) / 100;

export function priceOrder(lines: readonly OrderLine[], customer: Customer, behaviour: SegmentBehaviour): OrderPrice {
  let subtotalUsd = 0;
  for (const line of lines) subtotalUsd += line.quantity * line.unitPriceUsd;
  subtotalUsd = cents(subtotalUsd);
  const domestic = customer.country === "US";
  const shippingUsd = !domestic
    ? INTERNATIONAL_SHIPPING_USD
    : subtotalUsd >= behaviour.freeShippingFromUsd
      ? 0
      : DOMESTIC_SHIPPING_USD;
  // US sales tax follows the destination; exports leave tax-free.
  const taxUsd = domestic ? cents(subtotalUsd * (salesTaxByCity.get(customer.city) ?? 0)) : 0;
  return { subtotalUsd, shippingUsd, taxUsd, totalUsd: cents(subtotalUsd + shippingUsd + taxUsd) };
}
