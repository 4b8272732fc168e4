// How DuckDB reads a curated record before the tables take their columns from it. Validation checks each
// record against the same types (record-validation.ts), so the cast DuckDB does can never fail on data.
import type { LakeColumnType } from "./tables.js";

/** Top-level fields of a curated event and their types; `type` and `payload` are handled apart. */
export const ENVELOPE_TYPES = {
  event_id: "VARCHAR",
  occurred_at: "TIMESTAMPTZ",
  ingested_at: "TIMESTAMPTZ",
  source: "VARCHAR",
  customer_id: "VARCHAR",
  session_id: "VARCHAR",
  store_id: "VARCHAR",
  order_id: "VARCHAR",
  product_id: "VARCHAR",
} as const satisfies Record<string, LakeColumnType>;

/** Catalog data that enrich attaches (CuratedEvent.store and .product). */
export const STORE_TYPES = { name: "VARCHAR", city: "VARCHAR", region: "VARCHAR", country: "VARCHAR" } as const satisfies Record<
  string,
  LakeColumnType
>;
export const PRODUCT_TYPES = { name: "VARCHAR", category: "VARCHAR", list_price: "DOUBLE" } as const satisfies Record<string, LakeColumnType>;

function structType(fields: Readonly<Record<string, string>>): string {
  return `STRUCT(${Object.entries(fields)
    .map(([name, type]) => `"${name}" ${type}`)
    .join(", ")})`;
}

/** The DuckDB type of one curated record. */
export const CURATED_RECORD_TYPE = structType({
  ...ENVELOPE_TYPES,
  type: "VARCHAR",
  store: structType(STORE_TYPES),
  product: structType(PRODUCT_TYPES),
  payload: "JSON",
});
