// The running data-quality record of a delivery stream: for each expectation, how many delivered batches
// it checked and failed, and the last failure. The dashboard reads it as JSON (LakeDelivery.qualityReport);
// each outcome also goes to the metrics.
import { lakeExpectationChecks, lakeExpectationFailedRows } from "../monitor/index.js";
import type { DeliveredTable } from "./delivery-stream.js";
import { expectationName, type ExpectationOutcome } from "./expectations.js";

export interface ExpectationStatus {
  table: string;
  expectation: string;
  type: ExpectationOutcome["type"];
  blocking: boolean;
  batchesChecked: number;
  batchesFailed: number;
  /** failing rows over every failed batch */
  rowsFailed: number;
  lastCheckedAt: string | null;
  lastFailure: { at: string; failingRows: number; checkedRows: number; observed: string | null } | null;
}

export interface QualityReport {
  deliveryStream: string;
  generatedAt: string;
  expectations: ExpectationStatus[];
}

export class QualityTracker {
  private readonly statuses = new Map<string, ExpectationStatus>();

  constructor(
    private readonly deliveryStream: string,
    tables: readonly DeliveredTable[],
  ) {
    for (const { table, expectations } of tables) {
      for (const expectation of expectations) {
        const status: ExpectationStatus = {
          table: table.name,
          expectation: expectationName(expectation),
          type: expectation.type,
          blocking: expectation.blocking,
          batchesChecked: 0,
          batchesFailed: 0,
          rowsFailed: 0,
          lastCheckedAt: null,
          lastFailure: null,
        };
        this.statuses.set(`${status.table}/${status.expectation}`, status);
      }
    }
  }

  /** Counts the outcomes of one delivered batch. */
  record(outcomes: readonly ExpectationOutcome[], atMs: number): void {
    const at = new Date(atMs).toISOString();
    for (const outcome of outcomes) {
      const status = this.statuses.get(`${outcome.table}/${outcome.expectation}`);
      if (!status) continue;
      status.batchesChecked++;
      status.lastCheckedAt = at;
      const labels = { table: outcome.table, expectation: outcome.expectation };
      lakeExpectationChecks.inc({ ...labels, result: outcome.passed ? "passed" : "failed" });
      if (outcome.passed) continue;
      status.batchesFailed++;
      status.rowsFailed += outcome.failingRows;
      status.lastFailure = { at, failingRows: outcome.failingRows, checkedRows: outcome.checkedRows, observed: outcome.observed };
      lakeExpectationFailedRows.inc(labels, outcome.failingRows);
    }
  }

  report(): QualityReport {
    return {
      deliveryStream: this.deliveryStream,
      generatedAt: new Date().toISOString(),
      expectations: [...this.statuses.values()].map((status) => ({ ...status, lastFailure: status.lastFailure && { ...status.lastFailure } })),
    };
  }
}
