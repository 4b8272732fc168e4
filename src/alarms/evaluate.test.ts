// The alarm rule and the datapoints it reads: M of N, each treatment of missing data, and how counters,
// gauges and histograms become one datapoint per period.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RegistrySnapshot, SampledMetric } from "../monitor/index.js";
import { datapointFor, evaluateAlarm, latestDatapoints, type AlarmRule, type Datapoint } from "./index.js";

const rule = (overrides: Partial<AlarmRule> = {}): AlarmRule => ({
  threshold: 10,
  comparison: "GreaterThanThreshold",
  evaluationPeriods: 3,
  datapointsToAlarm: 2,
  treatMissingData: "missing",
  ...overrides,
});
/** B breaching (20), G good (1), - missing */
const points = (pattern: string): Datapoint[] =>
  [...pattern].map((c, i) => ({ periodStart: i * 60_000, value: c === "B" ? 20 : c === "G" ? 1 : undefined }));

describe("evaluateAlarm", () => {
  it("goes to ALARM when M of the last N datapoints breach, and back to OK when fewer do", () => {
    assert.equal(evaluateAlarm(rule(), points("BGB"), "OK").state, "ALARM");
    assert.equal(evaluateAlarm(rule(), points("GGB"), "ALARM").state, "OK");
    // only the last N count
    assert.equal(evaluateAlarm(rule(), points("BBGGB"), "ALARM").state, "OK");
    assert.match(evaluateAlarm(rule(), points("BGB"), "OK").reason, /2 out of the last 3 datapoints .* greater than the threshold \(10\)/);
  });

  it("compares with each operator", () => {
    const at = (comparison: AlarmRule["comparison"], value: number) =>
      evaluateAlarm(rule({ comparison, evaluationPeriods: 1, datapointsToAlarm: 1 }), [{ periodStart: 0, value }], "OK").state;
    assert.equal(at("GreaterThanThreshold", 10), "OK");
    assert.equal(at("GreaterThanOrEqualToThreshold", 10), "ALARM");
    assert.equal(at("LessThanThreshold", 9), "ALARM");
    assert.equal(at("LessThanOrEqualToThreshold", 10), "ALARM");
    assert.equal(at("LessThanThreshold", 10), "OK");
  });

  it("missing: all missing is INSUFFICIENT_DATA; otherwise only present datapoints count", () => {
    assert.equal(evaluateAlarm(rule(), points("---"), "OK").state, "INSUFFICIENT_DATA");
    assert.equal(evaluateAlarm(rule(), points("B-B"), "OK").state, "ALARM");
    assert.equal(evaluateAlarm(rule(), points("G-B"), "ALARM").state, "OK");
    // fewer present than M, all breaching: ALARM, as CloudWatch does
    assert.equal(evaluateAlarm(rule(), points("--B"), "OK").state, "ALARM");
  });

  it("ignore: all missing keeps the current state", () => {
    const ignore = rule({ treatMissingData: "ignore" });
    assert.equal(evaluateAlarm(ignore, points("---"), "ALARM").state, "ALARM");
    assert.equal(evaluateAlarm(ignore, points("---"), "OK").state, "OK");
    assert.equal(evaluateAlarm(ignore, points("B-B"), "OK").state, "ALARM");
    assert.equal(evaluateAlarm(ignore, points("G--"), "ALARM").state, "OK");
  });

  it("breaching: a missing datapoint counts as breaching", () => {
    const breaching = rule({ treatMissingData: "breaching" });
    assert.equal(evaluateAlarm(breaching, points("---"), "OK").state, "ALARM");
    assert.equal(evaluateAlarm(breaching, points("G-G"), "OK").state, "OK");
    assert.equal(evaluateAlarm(breaching, points("G-B"), "OK").state, "ALARM");
  });

  it("notBreaching: a missing datapoint counts as good", () => {
    const notBreaching = rule({ treatMissingData: "notBreaching" });
    assert.equal(evaluateAlarm(notBreaching, points("---"), "ALARM").state, "OK");
    assert.equal(evaluateAlarm(notBreaching, points("B-B"), "OK").state, "ALARM");
    assert.equal(evaluateAlarm(notBreaching, points("--B"), "OK").state, "OK");
  });
});

function snapshot(at: number, metric: string, sampled: SampledMetric): RegistrySnapshot {
  return { at, metrics: new Map([[metric, sampled]]) };
}
const counter = (at: number, ...series: Array<[Record<string, string>, number]>) =>
  snapshot(at, "c", { type: "counter", series: series.map(([labels, value]) => ({ labels, value })) });

describe("datapoints", () => {
  const query = { metric: "c", labels: { component: "a" }, statistic: "Sum" as const, periodSec: 1 };

  it("a counter's datapoint is its increase over the period (a new series counts from 0, a drop is a reset)", () => {
    const snapshots = [
      counter(900, [{ component: "a" }, 5]),
      counter(1200, [{ component: "a" }, 7], [{ component: "b" }, 100]),
      counter(1700, [{ component: "a" }, 10], [{ component: "b" }, 100]),
      counter(2100, [{ component: "a" }, 2]),
      counter(3500, [{ component: "b" }, 1]),
    ];
    assert.equal(datapointFor(query, snapshots, 1000, 2000), 5);
    assert.equal(datapointFor(query, snapshots, 2000, 3000), 2, "reset: counts from 0");
    assert.equal(datapointFor(query, snapshots, 3000, 4000), undefined, "no matching series: missing");
    assert.equal(datapointFor({ ...query, statistic: "Average", periodSec: 1 }, snapshots, 1000, 2000), 5);
    assert.equal(datapointFor({ ...query, statistic: "SampleCount" }, snapshots, 1000, 2000), 2);
    assert.equal(datapointFor({ ...query, labels: {} }, snapshots, 1000, 2000), 105, "series appearing in the period count from 0");
  });

  it("a gauge's datapoint aggregates its samples in the period", () => {
    const gauge = (at: number, value: number) => snapshot(at, "g", { type: "gauge", series: [{ labels: {}, value }] });
    const snapshots = [gauge(1000, 4), gauge(1500, 8), gauge(2500, 1)];
    const g = { metric: "g", labels: {}, periodSec: 1 };
    assert.equal(datapointFor({ ...g, statistic: "Maximum" }, snapshots, 1000, 2000), 8);
    assert.equal(datapointFor({ ...g, statistic: "Minimum" }, snapshots, 1000, 2000), 4);
    assert.equal(datapointFor({ ...g, statistic: "Average" }, snapshots, 1000, 2000), 6);
    assert.equal(datapointFor({ ...g, statistic: "SampleCount" }, snapshots, 1000, 2000), 2);
    assert.deepEqual(
      latestDatapoints({ ...g, statistic: "Maximum" }, snapshots, 3100, 3).map((d) => d.value),
      [undefined, 8, 1],
    );
  });

  it("a histogram's datapoint is the mean, sum or count of the observations in the period", () => {
    const histogram = (at: number, sum: number, count: number) => snapshot(at, "h", { type: "histogram", series: [{ labels: {}, value: sum, count }] });
    const snapshots = [histogram(500, 1, 1), histogram(1500, 4, 3), histogram(2500, 4, 3)];
    const h = { metric: "h", labels: {}, periodSec: 1 };
    assert.equal(datapointFor({ ...h, statistic: "Average" }, snapshots, 1000, 2000), 1.5);
    assert.equal(datapointFor({ ...h, statistic: "SampleCount" }, snapshots, 1000, 2000), 2);
    assert.equal(datapointFor({ ...h, statistic: "Sum" }, snapshots, 1000, 2000), 3);
    assert.equal(datapointFor({ ...h, statistic: "Average" }, snapshots, 2000, 3000), undefined, "no observations: missing");
  });
});
