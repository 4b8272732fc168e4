// Fault tests of a cluster on this machine (harness.ts): one ingest process and three worker processes
// (`shopstream up --role …`) over JetStream, PostgreSQL and an S3 lake, under load from concurrent
// clients. A worker is killed with SIGKILL mid-batch, the NATS server is restarted, PostgreSQL is cut
// away and comes back; after each, every acknowledged event is applied exactly once in PostgreSQL and
// appears exactly once in the lake, and the lag goes back to 0.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ShopEvent } from "../../src/events/index.js";
import { generateEvents } from "../../src/simulator/index.js";
import { natsServerBinary, postgres, s3Server } from "../../src/test-support/backends.js";
import { clusterLag, expectedEffects, readEffects, sendLoad, startCluster, streamRecords, waitUntil, type Cluster } from "../../src/test-support/cluster.js";

const skip = (await postgres()).skip ?? (await natsServerBinary()).skip ?? (await s3Server()).skip;
const PHASE_EVENTS = 6000;
const LEASE_TTL_MS = 6000;

describe("a cluster of three workers under faults", { skip, timeout: 240_000 }, () => {
  let cluster: Cluster;
  const events = generateEvents({ seed: 11 }, PHASE_EVENTS * 3);
  const phases = [0, 1, 2].map((i) => events.slice(i * PHASE_EVENTS, (i + 1) * PHASE_EVENTS));
  const acked = new Set<string>();
  const sent: ShopEvent[] = [];

  before(async () => {
    cluster = await startCluster({ workers: 3, leaseTtlMs: LEASE_TTL_MS, heartbeatIntervalMs: 1000 });
  });
  after(async () => {
    if (process.env["SHOPSTREAM_TEST_VERBOSE"]) for (const [name, worker] of cluster.workers) process.stderr.write(`--- ${name}\n${worker.output().slice(-6000)}\n`);
    await cluster?.stop();
  });

  const leaseOwners = async () => {
    const rows = await cluster.sql<{ owner: string | null; n: string }>(
      "SELECT owner, count(*) AS n FROM cluster_leases WHERE owner IS NOT NULL AND expires_at > now() GROUP BY owner",
    );
    return new Map(rows.map((row) => [row.owner!.split("~")[0]!, Number(row.n)]));
  };
  const units = async () => Number((await cluster.sql<{ n: string }>("SELECT count(*) AS n FROM cluster_leases"))[0]!.n);

  /** Runs one phase's load, doing `fault` once a third of it is acknowledged; then waits for lag 0 and checks. */
  const runPhase = async (phase: ShopEvent[], fault: () => Promise<void>) => {
    let faulted: Promise<void> | undefined;
    const batches = Math.ceil(phase.length / 100);
    const load = await sendLoad(() => cluster.ingest.url, phase, {
      clients: 4,
      batch: 100,
      // paced, so that the fault lands while events still arrive
      ratePerSec: 500,
      onBatch: (done) => {
        if (done === Math.ceil(batches / 3)) faulted = fault();
      },
    });
    await faulted;
    for (const id of load.acked) acked.add(id);
    sent.push(...phase);
    assert.equal(load.acked.size, phase.length, "every event was acknowledged in the end");
    await waitUntil(async () => Object.values(await clusterLag(cluster)).every((n) => n === 0), 120_000, "every consumer to catch up (lag 0)");
    await checkExactlyOnce();
    return load;
  };

  const checkExactlyOnce = async () => {
    const want = expectedEffects(sent, acked);
    // Lake delivery flushes each second; wait for the last objects to be listed.
    let got = await readEffects(cluster);
    await waitUntil(async () => {
      got = await readEffects(cluster);
      return got.lakeEvents.distinct >= acked.size && got.lakeRaw.rows >= acked.size;
    }, 30_000, "the lake to hold every acknowledged event");
    assert.deepEqual({ orders: got.orders, orderItems: got.orderItems, revenueCents: got.revenueCents }, want, "PostgreSQL: each acknowledged order applied once");
    assert.ok(got.processedByOrders >= want.orders, "processed_events names every order event");
    assert.equal(got.lakeEvents.distinct, acked.size, "the lake's events table holds every acknowledged event");
    for (const id of acked) if (!got.lakeEvents.ids.has(id)) assert.fail(`event ${id} is missing from the lake`);
    assert.equal(got.lakeEvents.rows, got.lakeEvents.distinct, "no event appears twice in the curated lake");
    assert.equal(got.lakeRaw.rows, await streamRecords(cluster, "events"), "the raw zone holds each record of the stream once");
    assert.equal(got.lakeRaw.distinct, acked.size);
  };

  it("splits the shards among three workers, and survives a kill -9 of one mid-batch", async () => {
    const total = await units();
    await waitUntil(async () => {
      const owners = await leaseOwners();
      return owners.size === 3 && [...owners.values()].reduce((a, b) => a + b, 0) === total && [...owners.values()].every((n) => n <= Math.ceil(total / 3));
    }, 60_000, "a fair split of every lease among the three workers");

    let processedAtKill = 0;
    const load = await runPhase(phases[0]!, async () => {
      processedAtKill = Number((await cluster.sql<{ n: string }>("SELECT count(*) AS n FROM processed_events"))[0]!.n);
      cluster.workers.get("w1")!.child.kill("SIGKILL");
      await cluster.workers.get("w1")!.exited;
    });
    const owners = await leaseOwners();
    assert.equal(owners.has("w1"), false, "the killed worker holds nothing");
    assert.equal([...owners.values()].reduce((a, b) => a + b, 0), total, "its leases were taken over");
    const processed = Number((await cluster.sql<{ n: string }>("SELECT count(*) AS n FROM processed_events"))[0]!.n);
    assert.ok(processed > processedAtKill, "processing went on after the kill");
    process.stderr.write(`kill -9 phase: ${PHASE_EVENTS} events in ${Math.round(load.elapsedMs)} ms, answers ${JSON.stringify([...load.statuses])}\n`);

    // A new worker joins: the others hand over shards gracefully until the split is fair again.
    cluster.workers.delete("w1");
    await cluster.startWorker("w4");
    await waitUntil(async () => {
      const now = await leaseOwners();
      const fairShare = Math.ceil(total / 3);
      return now.size === 3 && (now.get("w4") ?? 0) >= total - 2 * fairShare && [...now.values()].every((n) => n <= fairShare);
    }, 60_000, "the new worker to get its fair share");
  });

  it("loses nothing when the NATS server restarts mid-run", async () => {
    const load = await runPhase(phases[1]!, () => cluster.nats.restart(8000));
    assert.ok(load.statuses.has(503) || load.statuses.has(0), "ingest refused events (503) while NATS was down");
    process.stderr.write(`NATS restart phase: answers ${JSON.stringify([...load.statuses])}\n`);
  });

  it("loses nothing and applies nothing twice when PostgreSQL goes away mid-run", async () => {
    const load = await runPhase(phases[2]!, async () => {
      await cluster.postgresProxy.cut();
      // longer than the lease TTL: the workers' leases lapse, their work stops and resumes
      await new Promise((resolve) => setTimeout(resolve, LEASE_TTL_MS + 2000));
      await cluster.postgresProxy.restore();
    });
    process.stderr.write(`PostgreSQL restart phase: answers ${JSON.stringify([...load.statuses])}\n`);
    const owners = await leaseOwners();
    assert.equal([...owners.values()].reduce((a, b) => a + b, 0), await units(), "every lease is held again");
  });
});
