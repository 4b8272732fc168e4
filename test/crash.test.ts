// Crashes (issue #9): `shopstream up` is killed with SIGKILL at seeded random moments — while clients post,
// while the backlog is delivered to the lake and compacted, and just after a restart — and restarted on the
// same data dir each time. After every kill the data dir is audited as the crash left it (no half-written
// lake file, every checkpoint consistent with its sink, nothing twice anywhere); after a final graceful stop
// every acknowledged event must be in the serving store and the lake exactly once.
// SHOPSTREAM_CRASH_SEED=<n> replays a run; SHOPSTREAM_CRASH_ROUNDS=<n> changes the number of kills.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runCli, startUp, type RunningUp } from "../src/test-support/cli.js";
import { auditDataDir, exactlyOnceProblems, type DataDirAudit } from "../src/test-support/data-dir-audit.js";
import { IngestLedger, parseEventLines, seededRandom, totalLag } from "../src/test-support/ingest-client.js";
import { waitFor } from "../src/test-support/server.js";
import { makeTempDir, removeDir } from "../src/test-support/temp-dir.js";

const SEED = Number(process.env["SHOPSTREAM_CRASH_SEED"] ?? Date.now() % 1_000_000);
const ROUNDS = Number(process.env["SHOPSTREAM_CRASH_ROUNDS"] ?? 20);
const CLIENTS = 3;

// Frequent lake flushes and eager compaction, so that kills land inside them.
const CONFIG = `
deliveryStreams:
  curated:
    bufferIntervalMs: 250
    compaction: { intervalMs: 1000, minFiles: 2, deleteSourcesAfterMs: 500 }
  raw:
    bufferIntervalMs: 400
`;

type Moment = "ingest" | "delivery" | "restart";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Hands out the simulated events once each, in order, to any number of posting clients. */
class EventFeed {
  private next = 0;
  private malformed = 0;
  constructor(
    private readonly events: ReadonlyArray<{ id: string; line: string }>,
    private readonly random: () => number,
  ) {}
  get remaining(): number {
    return this.events.length - this.next;
  }
  take(): Array<{ id: string; line: string }> {
    const size = 50 + Math.floor(this.random() * 250);
    const batch = this.events.slice(this.next, this.next + size);
    this.next += batch.length;
    // Now and then a line that is not JSON: the answer is a 400 whose other events are still acknowledged.
    if (batch.length > 0 && this.random() < 0.15) batch.splice(Math.floor(this.random() * batch.length), 0, { id: `malformed-${++this.malformed}`, line: "{not json" });
    return batch;
  }
}

/** Clients posting until told to stop; resolves once every request in flight has its outcome. */
function postUntilStopped(url: string, feed: EventFeed, ledger: IngestLedger, random: () => number): { stop: () => Promise<void> } {
  let running = true;
  const client = async () => {
    while (running && feed.remaining > 0) {
      const outcome = await ledger.post(url, feed.take());
      if (outcome.status === "no_answer") return;
      await sleep(outcome.retryAfterSec !== undefined ? outcome.retryAfterSec * 1000 : 150 + random() * 200);
    }
  };
  const clients = Promise.all(Array.from({ length: CLIENTS }, client));
  return {
    stop: async () => {
      running = false;
      await clients;
    },
  };
}

function stagingFiles(dataDir: string): number {
  const staging = join(dataDir, "staging");
  if (!existsSync(staging)) return 0;
  return readdirSync(staging, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).length;
}

/** What must hold in any state the pipeline leaves, crashed or stopped. */
function assertConsistent(audit: DataDirAudit, ledger: IngestLedger, when: string): void {
  assert.deepEqual(audit.problems, [], `${when} (seed ${SEED})`);
  const notInStream = [...ledger.acknowledged].filter((id) => audit.streamEvents.get(id) !== 1);
  assert.deepEqual(notInStream.slice(0, 5), [], `${when}: acknowledged events missing from the events stream, or in it twice (seed ${SEED})`);
  for (const id of [...ledger.refused, ...ledger.throttled]) assert.ok(!audit.streamEvents.has(id), `${when}: refused event ${id} is in the stream (seed ${SEED})`);
}

describe("crashes: kill -9 at random moments", () => {
  it(`keeps every acknowledged event exactly once in the serving store and the lake across ${ROUNDS} kills`, { timeout: 600_000 }, async (t) => {
    const started = Date.now();
    const random = seededRandom(SEED);
    const dir = makeTempDir("shopstream-crash-");
    const dataDir = join(dir, "data");
    const configPath = join(dir, "pipeline.yaml");
    writeFileSync(configPath, CONFIG);
    const simulated = runCli(["simulate", "--seed", String(SEED % 1000), "--count", "60000", "--output", join(dir, "events.ndjson")]);
    assert.equal(simulated.status, 0, simulated.stderr);
    const events = parseEventLines(readFileSync(join(dir, "events.ndjson"), "utf8"));
    const byId = new Map(events.map((event) => [event.id, event]));
    const feed = new EventFeed(events, random);
    const ledger = new IngestLedger();
    const args = ["--simulate-rate", "0", "--data-dir", dataDir, "--config", configPath];
    const moments: Record<Moment, number> = { ingest: 0, delivery: 0, restart: 0 };
    let killedMidFlush = 0;
    let up: RunningUp | undefined;
    t.after(() => void up?.child.kill("SIGKILL"));
    // Removed after the server is killed: hooks run in the order they were registered.
    t.after(() => removeDir(dir));

    for (let round = 1; round <= ROUNDS; round++) {
      const moment: Moment = (["ingest", "ingest", "delivery", "delivery", "restart"] as const)[Math.floor(random() * 5)]!;
      moments[moment]++;
      up = await startUp(args);
      const clients = postUntilStopped(up.url, feed, ledger, random);
      if (moment === "ingest") {
        await sleep(200 + random() * 2500);
      } else if (moment === "delivery") {
        // Producers stop; the kill comes while functions, the lake and compaction work off the backlog.
        await sleep(300 + random() * 1500);
        await clients.stop();
        await sleep(random() * 1200);
      } else {
        await sleep(random() * 300);
      }
      up.child.kill("SIGKILL");
      const exit = await up.exited;
      assert.equal(exit.signal, "SIGKILL", `round ${round}: the server exited before the kill:\n${up.output()}`);
      await clients.stop();
      if (stagingFiles(dataDir) > 0) killedMidFlush++;
      assertConsistent(await auditDataDir(dataDir), ledger, `after kill ${round} (${moment})`);
    }

    // A last start: the rest of the events, a drain, and a graceful stop.
    up = await startUp(args);
    const url = up.url;
    const rest = postUntilStopped(url, feed, ledger, random);
    await waitFor(() => feed.remaining === 0, 120_000, "the last events to be posted");
    await rest.stop();
    await waitFor(async () => (await totalLag(url)).total === 0, 120_000, "every consumer to catch up");
    up.child.kill("SIGTERM");
    const exit = await up.exited;
    assert.equal(exit.code, 0, up.output());
    assert.match(up.output(), /stopped cleanly/);

    const audit = await auditDataDir(dataDir);
    assertConsistent(audit, ledger, "after the graceful stop");
    assert.equal(ledger.unknown.size + ledger.acknowledged.size + ledger.refused.size, ledger.posted, "no request was throttled");
    assert.ok(ledger.acknowledged.size > 10_000, `only ${ledger.acknowledged.size} events were acknowledged`);
    assert.ok(ledger.refused.size > 0, "some answers were partial (400 with per-event results)");

    assert.deepEqual(exactlyOnceProblems(audit, ledger, byId), [], `seed ${SEED}`);

    const seconds = Math.round((Date.now() - started) / 1000);
    t.diagnostic(
      `seed ${SEED}: ${ROUNDS} kills (${moments.ingest} during ingest, ${moments.delivery} during delivery, ${moments.restart} just after a restart; ` +
        `${killedMidFlush} with a lake flush or compaction staged), ${ledger.acknowledged.size} events acknowledged, ${ledger.unknown.size} answers lost, ` +
        `${ledger.refused.size} refused; ${audit.lakeFiles.parquet} Parquet and ${audit.lakeFiles.ndjson} NDJSON objects, ` +
        `${audit.lakeFiles.temporary.length} hidden temporary files; ${seconds} s`,
    );
  });
});
