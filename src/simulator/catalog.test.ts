import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_CATALOG_SIZES, customerSegments, generateCatalog } from "./catalog.js";

describe("generateCatalog", () => {
  const catalog = generateCatalog();

  it("is the same for the same seed and differs for another", () => {
    assert.deepEqual(generateCatalog(), catalog);
    assert.notDeepEqual(generateCatalog(43).products, catalog.products);
  });

  it("has the default sizes and readable, zero-padded ids", () => {
    assert.equal(catalog.products.length, DEFAULT_CATALOG_SIZES.products);
    assert.equal(catalog.stores.length, DEFAULT_CATALOG_SIZES.stores);
    assert.equal(catalog.customers.length, DEFAULT_CATALOG_SIZES.customers);
    assert.equal(catalog.depots.length, DEFAULT_CATALOG_SIZES.depots);
    assert.equal(catalog.products[0]?.product_id, "P0001");
    assert.equal(catalog.stores[0]?.store_id, "S001");
    assert.equal(catalog.customers[0]?.customer_id, "C000001");
    assert.equal(catalog.depots[0]?.depot_id, "D01");
    for (const list of [catalog.products.map((p) => p.product_id), catalog.stores.map((s) => s.store_id), catalog.customers.map((c) => c.customer_id)]) {
      assert.equal(new Set(list).size, list.length);
    }
  });

  it("prices products like a real shop: cents, and groceries cheaper than electronics", () => {
    const median = (category: string) => {
      const prices = catalog.products.filter((p) => p.category === category).map((p) => p.price).sort((a, b) => a - b);
      return prices[Math.floor(prices.length / 2)] ?? Number.NaN;
    };
    for (const product of catalog.products) {
      assert.equal(Math.round(product.price * 100) / 100, product.price);
      assert.ok(product.price > 0 && product.price < 2_500, `${product.product_id} costs ${product.price}`);
      assert.ok(product.weight_kg > 0);
    }
    assert.ok(median("grocery") < median("apparel"));
    assert.ok(median("apparel") < median("electronics"));
    assert.ok(new Set(catalog.products.map((p) => p.category)).size >= 8);
  });

  it("stocks every product in every store, between sensible levels", () => {
    let belowReorder = 0;
    for (const store of catalog.stores) {
      assert.match(store.country, /^[A-Z]{2}$/);
      assert.ok(["north", "south", "east", "west", "central"].includes(store.region));
      assert.deepEqual(store.inventory.map((s) => s.product_id), catalog.products.map((p) => p.product_id));
      for (const stock of store.inventory) {
        assert.ok(stock.on_hand >= 0 && stock.on_hand <= stock.target_level);
        assert.ok(stock.reorder_point >= 2 && stock.target_level > stock.reorder_point);
        if (stock.on_hand < stock.reorder_point) belowReorder++;
      }
    }
    // Some start below their reorder point, so planning has work from the first run; most do not.
    const share = belowReorder / (catalog.stores.length * catalog.products.length);
    assert.ok(share > 0.02 && share < 0.12, `share below reorder point: ${share}`);
  });

  it("gives every customer a segment, a home store that exists and a signup in the past", () => {
    const storeIds = new Set(catalog.stores.map((s) => s.store_id));
    const segments = new Set<string>();
    for (const customer of catalog.customers) {
      assert.ok(storeIds.has(customer.home_store_id));
      assert.match(customer.country, /^[A-Z]{2}$/);
      assert.ok(Date.parse(customer.signed_up_at) < Date.UTC(2026, 0, 1, 0, 0, 1));
      segments.add(customer.segment);
    }
    assert.deepEqual([...segments].sort(), [...customerSegments].sort());
  });

  it("keeps products and stores when only the customer count changes", () => {
    const small = generateCatalog(42, { customers: 10 });
    assert.equal(small.customers.length, 10);
    assert.deepEqual(small.products, catalog.products);
    assert.deepEqual(small.stores, catalog.stores);
  });

  it("grows past the built-in city list with numbered branches", () => {
    const big = generateCatalog(42, { stores: 30, depots: 7, products: 20, customers: 50 });
    assert.equal(big.stores.length, 30);
    assert.match(big.stores[29]?.name ?? "", /#2$/);
    assert.equal(new Set(big.depots.map((d) => d.depot_id)).size, 7);
  });

  it("rejects sizes that are not positive integers", () => {
    assert.throws(() => generateCatalog(42, { stores: 0 }), /stores must be an integer/);
    assert.throws(() => generateCatalog(42, { products: 2.5 }), /products must be an integer/);
  });
});
