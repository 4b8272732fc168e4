// Precision and recall on a seeded run: the simulator's labelled fraud and look-alikes, curated as
// enrich writes them, through the fraud function into a real SQLite serving store.
import assert from "node:assert/strict";
import { it } from "node:test";
import { makeTempDir, removeDir } from "../test-support/temp-dir.js";
import { recentFraudAlerts } from "./alert-queries.js";
import { evaluateDetection } from "./evaluate.js";
import { createFraudFunction } from "./fraud-function.js";
import { labelledRun } from "./labelled-run.js";
import { batchContext, curatedRecords, openFraudStore } from "./test-events.js";

const SEED = 1;
const EVENTS = 200_000;
const BATCH_SIZE = 500;

it(`finds the injected fraud with precision and recall of at least 0.9 (seed ${SEED}, ${EVENTS} events)`, async (t) => {
  const dir = makeTempDir("shopstream-fraud-quality-");
  const store = await openFraudStore(dir);
  t.after(async () => {
    await store.close();
    removeDir(dir);
  });
  const events = labelledRun({ seed: SEED }, EVENTS);
  const records = curatedRecords(events);
  const fraud = createFraudFunction({ store });
  for (let start = 0; start < records.length; start += BATCH_SIZE) await fraud.handleBatch(records.slice(start, start + BATCH_SIZE), batchContext());

  const quality = evaluateDetection(events, await recentFraudAlerts(store, { limit: 1_000 }));
  t.diagnostic(
    `precision ${quality.precision.toFixed(3)}, recall ${quality.recall.toFixed(3)}: ${quality.detectedCases} of ${quality.fraudCases} fraud cases, ` +
      `${quality.flaggedHonestOrders} of ${quality.honestOrders} honest orders flagged`,
  );
  t.diagnostic(`by pattern: ${JSON.stringify(quality.byPattern)}; honest orders flagged by source: ${JSON.stringify(quality.flaggedHonestBySource)}`);
  for (const [pattern, { cases }] of Object.entries(quality.byPattern)) assert.ok(cases > 0, `no ${pattern} case in the run`);
  assert.ok(quality.fraudCases >= 50, `${quality.fraudCases} fraud cases are too few to measure`);
  assert.ok(quality.recall >= 0.9, `recall ${quality.recall}`);
  assert.ok(quality.precision >= 0.9, `precision ${quality.precision}`);
});
