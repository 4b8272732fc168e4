// Data quality: each delivered batch is audited against its tables' expectations before it is published;
// a blocking failure holds the table's rows back and sends their records to the error prefix, every
// outcome reaches the metrics and the report, and the full check runs the same expectations over the lake.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { lakeExpectationChecks } from "../monitor/index.js";
import { DEFAULT_TABLES_CONFIG } from "./config.js";
import { runQualityCheck } from "./quality-check.js";
import { appendRecords, orderPlaced, pageView } from "./test-events.js";
import { listKeys, openTestLake, queryLake } from "./test-lake.js";

const at = "2026-01-05T08:15:00.000Z";
const order = (id: string, orderId: string, total: number) =>
  orderPlaced({ id, at, order: orderId, customer: "C1", store: "S001", total, lines: [{ product: "P001", quantity: 1, unitPrice: 10 }] });

async function checks(labels: { table: string; expectation: string; result: string }): Promise<number> {
  const values = (await lakeExpectationChecks.get()).values;
  return values
    .filter((value) => value.labels.table === labels.table && value.labels.expectation === labels.expectation && value.labels.result === labels.result)
    .reduce((sum, value) => sum + value.value, 0);
}

describe("data quality on delivery", () => {
  it("holds back a table's batch that fails a blocking expectation, and delivers the other tables", async (t) => {
    const lake = await openTestLake(t, { shards: 1 });
    const failedBefore = await checks({ table: "orders", expectation: "range(total)", result: "failed" });
    await appendRecords(lake.stream, "curated", [order("e1", "O1", 10), order("e2", "O2", -5), pageView({ id: "e3", at, session: "s", page: "/" })]);
    const delivery = lake.delivery();
    await delivery.start();
    await delivery.flush();

    assert.deepEqual(await queryLake(lake.lakeDir, "select (select count(*) from orders), (select count(*) from order_items), (select count(*) from events)"), [[0, 2, 3]]);
    const errorKeys = await listKeys(lake.store, "errors/curated/expectation_failed/");
    assert.equal(errorKeys.length, 1);
    const lines = (await readFile(join(lake.lakeDir, errorKeys[0]!), "utf8")).trim().split("\n").map((line) => JSON.parse(line) as Record<string, string>);
    assert.deepEqual(lines.map((line) => [JSON.parse(line["raw_data"]!).event_id, line["table"]]), [["e1", "orders"], ["e2", "orders"]]);
    assert.match(lines[0]!["error_message"]!, /orders rows failed a blocking expectation: range\(total\) failed on 1 of 2 rows \(from -5(\.0+)? to 10(\.0+)?\)/);

    assert.equal((await checks({ table: "orders", expectation: "range(total)", result: "failed" })) - failedBefore, 1);
    const report = delivery.qualityReport();
    const range = report.expectations.find((status) => status.table === "orders" && status.expectation === "range(total)");
    assert.deepEqual({ ...range, lastCheckedAt: undefined, lastFailure: { ...range?.lastFailure, at: undefined } }, {
      table: "orders",
      expectation: "range(total)",
      type: "range",
      blocking: true,
      batchesChecked: 1,
      batchesFailed: 1,
      rowsFailed: 1,
      lastCheckedAt: undefined,
      lastFailure: { at: undefined, failingRows: 1, checkedRows: 2, observed: range?.lastFailure?.observed },
    });
    assert.equal(report.expectations.find((status) => status.table === "order_items" && status.expectation === "range(quantity)")?.batchesFailed, 0);
  });

  it("counts a non-blocking failure and delivers the rows anyway", async (t) => {
    const lake = await openTestLake(t, { shards: 1 });
    await appendRecords(lake.stream, "curated", [order("e1", "O1", 10), order("e2", "O1", 12)]);
    const delivery = lake.delivery();
    await delivery.start();
    await delivery.flush();
    assert.deepEqual(await queryLake(lake.lakeDir, "select count(*) from orders"), [[2]]);
    const unique = delivery.qualityReport().expectations.find((status) => status.table === "orders" && status.expectation === "unique(order_id)");
    assert.equal(unique?.batchesFailed, 1);
    assert.equal(unique?.rowsFailed, 2);
    assert.equal(unique?.lastFailure?.observed, "duplicated: O1");
    assert.deepEqual(await listKeys(lake.store, "errors/"), []);
  });
});

describe("runQualityCheck (shopstream check)", () => {
  it("checks every expectation over the whole lake, and fails only on a blocking one", async (t) => {
    const lake = await openTestLake(t, { shards: 1 });
    // Without expectations on delivery, so that what the full check finds is in the lake.
    const lenient = structuredClone(DEFAULT_TABLES_CONFIG);
    lenient.orders.expectations = [];
    const delivery = lake.delivery({ tables: lenient });
    await delivery.start();
    await appendRecords(lake.stream, "curated", [order("e1", "O1", 10)]);
    await delivery.flush();
    await appendRecords(lake.stream, "curated", [order("e2", "O1", 10)]);
    await delivery.flush();

    const passing = await runQualityCheck({ lakeDir: lake.lakeDir });
    const outcome = (table: string, expectation: string) => passing.outcomes.find((o) => o.table === table && o.expectation === expectation);
    assert.deepEqual({ ...outcome("orders", "unique(order_id)") }, {
      table: "orders",
      expectation: "unique(order_id)",
      type: "unique",
      blocking: false,
      passed: false,
      failingRows: 2,
      checkedRows: 2,
      observed: "duplicated: O1",
    });
    // The test events were ingested in January: not fresh, but freshness does not block.
    assert.equal(outcome("events", "freshness(ingested_at)")?.passed, false);
    assert.equal(outcome("orders", "range(total)")?.passed, true);
    assert.equal(outcome("reviews", "range(rating)")?.checkedRows, 0, "a table without objects checks no rows");
    assert.equal(passing.passed, true);

    await appendRecords(lake.stream, "curated", [order("e3", "O3", -1)]);
    await delivery.flush();
    const failing = await runQualityCheck({ lakeDir: lake.lakeDir });
    assert.equal(failing.passed, false);
    assert.equal(failing.outcomes.find((o) => o.table === "orders" && o.expectation === "range(total)")?.failingRows, 1);
  });
});
