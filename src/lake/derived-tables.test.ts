// The orders function's derived events in the lake: under its event source mapping it reads orders from
// the curated stream and appends stock levels and low-stock alerts to it; the curated delivery stream
// puts them in their own tables, not in `events`, once each even when an append failed and was retried.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createOrdersFunction, deployFunctions, FunctionRuntime } from "../functions/index.js";
import { coreMigrations, migrate, SqliteStore } from "../store/index.js";
import type { PutRecordInput, PutRecordResult, PutRecordsOptions, Stream } from "../stream/index.js";
import { appendRecords, orderPlaced, payment } from "./test-events.js";
import { openTestLake, queryLake as query, waitFor } from "./test-lake.js";

describe("derived inventory tables", () => {
  it("fills stock_levels and low_stock_alerts from the orders function's events, each row once across a failed append", async (t) => {
    const lake = await openTestLake(t);
    const store = new SqliteStore({ path: join(lake.dir, "store.db") });
    t.after(() => store.close());
    await migrate(store, coreMigrations);
    await store.run("INSERT INTO products (product_id, name, category, price) VALUES ('P001', 'Trail Runner', 'shoes', 89.9), ('P003', 'Wool Beanie', 'hats', 19.99)");
    await store.run("INSERT INTO stores (store_id, name, city, region, country) VALUES ('S001', 'Lyon Part-Dieu', 'Lyon', 'EU-West', 'FR')");
    await store.run(
      "INSERT INTO inventory (store_id, product_id, on_hand, reserved, reorder_point, target_level, updated_at) VALUES ('S001', 'P001', 5, 0, 3, 20, 0), ('S001', 'P003', 10, 0, 3, 20, 0)",
    );
    const at = "2026-01-05T08:15:00.000Z";
    await appendRecords(lake.stream, "curated", [
      orderPlaced({
        id: "e1", at, order: "O1", customer: "C1", store: "S001", total: 309.68,
        lines: [
          { product: "P001", quantity: 3, unitPrice: 89.9 },
          { product: "P003", quantity: 2, unitPrice: 19.99 },
        ],
      }),
      payment({ id: "e2", at: "2026-01-05T08:16:00.000Z", order: "O1", customer: "C1", amount: 309.68 }),
    ]);

    // The first append fails after the store committed, as if the process died there; the mapping retries.
    let failNextPut = true;
    const flaky: Stream = Object.create(lake.stream, {
      putRecords: {
        value: async (name: string, records: PutRecordInput[], options?: PutRecordsOptions): Promise<PutRecordResult[]> => {
          if (failNextPut) {
            failNextPut = false;
            throw new Error("stream unavailable");
          }
          return lake.stream.putRecords(name, records, options);
        },
      },
    });
    const runtime = await deployFunctions({
      stream: lake.stream,
      functionsConfig: { orders: {} },
      baseDir: process.cwd(),
      builtins: { orders: { fn: createOrdersFunction(store, { stream: flaky }), defaultStream: "curated" } },
    });
    try {
      await runtime.start();
      await waitFor(async () => !failNextPut && (await runtime.lag())[FunctionRuntime.consumerName("orders")] === 0, 30_000);
    } finally {
      await runtime.stop();
    }

    const delivery = lake.delivery();
    await delivery.start();
    await delivery.flush();
    assert.deepEqual(
      await query(
        lake.lakeDir,
        "select store_id, product_id, on_hand, reserved, available, reorder_point, target_level, moves, last_event_id, last_event_type, occurred_at, dt, hour from stock_levels order by product_id",
      ),
      [
        ["S001", "P001", 2, 0, 2, 3, 20, 2, "e2", "payment_authorized", "2026-01-05T08:16:00.000Z", "2026-01-05", 8],
        ["S001", "P003", 8, 0, 8, 3, 20, 2, "e2", "payment_authorized", "2026-01-05T08:16:00.000Z", "2026-01-05", 8],
      ],
    );
    assert.deepEqual(await query(lake.lakeDir, "select alert_id, trigger_event_id, store_id, product_id, available, reorder_point, occurred_at from low_stock_alerts"), [
      ["low-stock:e1:S001:P001", "e1", "S001", "P001", 2, 3, at],
    ]);
    assert.deepEqual(
      await query(lake.lakeDir, "select (select count(*) from events), (select count(*) from events where type in ('stock_level', 'low_stock_alert'))"),
      [[2, 0]],
      "derived events have tables of their own",
    );
  });
});
