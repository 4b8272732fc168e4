// Store inventory as the dashboard shows it, read from the serving store: a stores × products grid of
// levels (the products with the most stores below their reorder point first), and the store products
// below their reorder point, furthest below first. Portable SQL: SQLite and PostgreSQL both run it.
import { NotFoundError } from "../errors/index.js";
import type { ServingStore } from "../store/index.js";

export interface InventoryCell {
  store_id: string;
  product_id: string;
  on_hand: number;
  reserved: number;
  /** on_hand − reserved */
  available: number;
  reorder_point: number;
  target_level: number;
  reorder_source: "derived" | "configured";
}

export interface InventoryGrid {
  /** ascending */
  stores: string[];
  /** the most stores below the reorder point first, then by product_id */
  products: string[];
  /** by store, then product */
  cells: InventoryCell[];
}

export interface LowStockItem {
  store_id: string;
  product_id: string;
  available: number;
  reorder_point: number;
  target_level: number;
  /** when the latest low-stock alert for it was raised (event time), or null when none was */
  since: string | null;
}

interface CellRow {
  store_id: string;
  product_id: string;
  on_hand: number;
  reserved: number;
  reorder_point: number;
  target_level: number;
  reorder_source: string | null;
}

export async function inventoryGrid(store: ServingStore, query: { storeId?: string; limitProducts: number }): Promise<InventoryGrid> {
  const where = query.storeId === undefined ? "" : "WHERE store_id = ?";
  const storeParams = query.storeId === undefined ? [] : [query.storeId];
  if (query.storeId !== undefined && !(await store.get("SELECT store_id FROM stores WHERE store_id = ?", [query.storeId]))) {
    throw new NotFoundError(`no store ${query.storeId}`);
  }
  const ranked = await store.all<{ product_id: string }>(
    `SELECT product_id FROM inventory ${where}
     GROUP BY product_id
     ORDER BY sum(CASE WHEN on_hand - reserved < reorder_point THEN 1 ELSE 0 END) DESC, product_id
     LIMIT ?`,
    [...storeParams, query.limitProducts],
  );
  const products = ranked.map((row) => row.product_id);
  if (products.length === 0) return { stores: query.storeId === undefined ? [] : [query.storeId], products, cells: [] };
  const rows = await store.all<CellRow>(
    `SELECT store_id, product_id, on_hand, reserved, reorder_point, target_level, reorder_source FROM inventory
     WHERE product_id IN (${products.map(() => "?").join(", ")}) ${query.storeId === undefined ? "" : "AND store_id = ?"}
     ORDER BY store_id, product_id`,
    [...products, ...storeParams],
  );
  const cells = rows.map((row): InventoryCell => {
    const onHand = Number(row.on_hand);
    const reserved = Number(row.reserved);
    return {
      store_id: row.store_id,
      product_id: row.product_id,
      on_hand: onHand,
      reserved,
      available: onHand - reserved,
      reorder_point: Number(row.reorder_point),
      target_level: Number(row.target_level),
      reorder_source: row.reorder_source === "derived" ? "derived" : "configured",
    };
  });
  return { stores: [...new Set(cells.map((cell) => cell.store_id))], products, cells };
}

export async function lowStock(store: ServingStore, query: { limit: number; storeId?: string }): Promise<LowStockItem[]> {
  const rows = await store.all<{ store_id: string; product_id: string; available: number; reorder_point: number; target_level: number; since: string | null }>(
    `SELECT i.store_id, i.product_id, i.on_hand - i.reserved AS available, i.reorder_point, i.target_level,
            (SELECT max(a.occurred_at) FROM low_stock_alerts AS a WHERE a.store_id = i.store_id AND a.product_id = i.product_id) AS since
     FROM inventory AS i
     WHERE i.on_hand - i.reserved < i.reorder_point ${query.storeId === undefined ? "" : "AND i.store_id = ?"}
     ORDER BY i.reorder_point - (i.on_hand - i.reserved) DESC, i.store_id, i.product_id
     LIMIT ?`,
    [...(query.storeId === undefined ? [] : [query.storeId]), query.limit],
  );
  return rows.map((row) => ({
    store_id: row.store_id,
    product_id: row.product_id,
    available: Number(row.available),
    reorder_point: Number(row.reorder_point),
    target_level: Number(row.target_level),
    since: row.since === null ? null : new Date(row.since).toISOString(),
  }));
}
