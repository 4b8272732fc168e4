// Reference data (stores, products, starting inventory) lives in the serving store. It is seeded once from
// the catalog, then read back as the lookup maps enrich uses, so what enrich sees is what the store holds.
import type { ProductInfo, StoreInfo } from "../events/index.js";
import type { ReferenceData } from "../functions/index.js";
import type { Catalog } from "../simulator/index.js";
import type { ServingStore } from "../store/index.js";

export async function seedReferenceData(store: ServingStore, catalog: Catalog): Promise<void> {
  const nowMs = Date.now();
  await store.transaction(async (tx) => {
    for (const s of catalog.stores) {
      await tx.run(
        "INSERT INTO stores (store_id, name, city, region, country, lat, lon) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (store_id) DO NOTHING",
        [s.store_id, s.name, s.city, s.region, s.country, s.lat, s.lon],
      );
      for (const stock of s.inventory) {
        await tx.run(
          `INSERT INTO inventory (store_id, product_id, on_hand, reserved, reorder_point, target_level, updated_at)
           VALUES (?, ?, ?, 0, ?, ?, ?) ON CONFLICT (store_id, product_id) DO NOTHING`,
          [s.store_id, stock.product_id, stock.on_hand, stock.reorder_point, stock.target_level, nowMs],
        );
      }
    }
    for (const p of catalog.products) {
      await tx.run("INSERT INTO products (product_id, name, category, price) VALUES (?, ?, ?, ?) ON CONFLICT (product_id) DO NOTHING", [
        p.product_id,
        p.name,
        p.category,
        p.price,
      ]);
    }
  });
}

export async function loadReferenceData(store: ServingStore): Promise<ReferenceData> {
  const stores = new Map<string, StoreInfo>();
  for (const row of await store.all<{ store_id: string } & StoreInfo>("SELECT store_id, name, city, region, country FROM stores")) {
    stores.set(row.store_id, { name: row.name, city: row.city, region: row.region, country: row.country });
  }
  const products = new Map<string, ProductInfo>();
  for (const row of await store.all<{ product_id: string; name: string; category: string; price: number }>(
    "SELECT product_id, name, category, price FROM products",
  )) {
    products.set(row.product_id, { name: row.name, category: row.category, list_price: row.price });
  }
  return { stores, products };
}
