// Order validation: an order_placed is accepted only if every line names a catalog product, asks for a
// positive whole number of units and charges a unit price that matches the catalog within a tolerance.
// The checks are pure; the caller looks the catalog prices up.

/** How far a charged unit price may be from the catalog's: |charged − list| ≤ list × relative + absolute. */
export interface PriceTolerance {
  /** a fraction of the catalog price, e.g. 0.01 for 1% */
  relative: number;
  /** in the order currency, so rounding to cents never rejects an order */
  absolute: number;
}

export const DEFAULT_PRICE_TOLERANCE: PriceTolerance = { relative: 0.01, absolute: 0.01 };

export type OrderProblemCode = "no_items" | "unknown_product" | "invalid_quantity" | "price_mismatch";

export interface OrderProblem {
  code: OrderProblemCode;
  /** 1-based, absent for order-wide problems */
  lineNo?: number;
  detail: string;
}

export interface OrderLineInput {
  product_id?: unknown;
  quantity?: unknown;
  unit_price?: unknown;
}

export function priceWithinTolerance(charged: number, listPrice: number, tolerance: PriceTolerance): boolean {
  return Math.abs(charged - listPrice) <= Math.abs(listPrice) * tolerance.relative + tolerance.absolute;
}

/** Every problem with the order's lines; an empty list means the order is valid. */
export function validateOrderLines(
  items: unknown,
  listPriceOf: (productId: string) => number | undefined,
  tolerance: PriceTolerance = DEFAULT_PRICE_TOLERANCE,
): OrderProblem[] {
  if (!Array.isArray(items) || items.length === 0) return [{ code: "no_items", detail: "the order has no line items" }];
  const problems: OrderProblem[] = [];
  for (const [index, raw] of (items as OrderLineInput[]).entries()) {
    const lineNo = index + 1;
    const productId = typeof raw?.product_id === "string" ? raw.product_id : "";
    const quantity = raw?.quantity;
    if (typeof quantity !== "number" || !Number.isInteger(quantity) || quantity <= 0) {
      problems.push({ code: "invalid_quantity", lineNo, detail: `quantity ${String(quantity)} is not a positive whole number` });
    }
    const listPrice = productId ? listPriceOf(productId) : undefined;
    if (listPrice === undefined) {
      problems.push({ code: "unknown_product", lineNo, detail: `product ${productId || "(none)"} is not in the catalog` });
      continue;
    }
    const charged = raw?.unit_price;
    if (typeof charged !== "number" || !Number.isFinite(charged) || !priceWithinTolerance(charged, listPrice, tolerance)) {
      problems.push({ code: "price_mismatch", lineNo, detail: `${productId} charged ${String(charged)}, catalog ${listPrice}` });
    }
  }
  return problems;
}

/** The orders.validation column: one "code line N: detail" per problem, or null for a valid order. */
export function describeProblems(problems: readonly OrderProblem[]): string | null {
  if (problems.length === 0) return null;
  return problems.map((p) => `${p.code}${p.lineNo === undefined ? "" : ` line ${p.lineNo}`}: ${p.detail}`).join("; ");
}
