// A shopstream cluster on this machine for the fault tests and the bench: its own nats-server (so it can
// be restarted), PostgreSQL through a TCP proxy (cut and restored to simulate a restart: the shared
// server is never restarted, and Debian's initdb refuses to run as root here), the lake in an s3rver
// bucket, and `shopstream up` processes with roles. Plus a load generator that remembers every
// acknowledged event, and the exact checks over PostgreSQL, the stream and the lake.
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { openAnalytics } from "../analytics/index.js";
import type { ShopEvent } from "../events/index.js";
import { DuckDBInstance } from "@duckdb/node-api";
import { createS3Client, LocalObjectStore, openLakeStore, S3ObjectStore } from "../lake/index.js";
import { JetStreamStream } from "../stream/index.js";
import { POSTGRES_URL } from "./backends.js";
import { startUp, type RunningUp } from "./cli.js";
import { startNatsServer, type NatsTestServer } from "./nats-server.js";
import { dropSchema, uniqueSchemaName } from "./postgres-store.js";
import { startS3Server, type S3TestServer } from "./s3-server.js";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";
import { makeTempDir, removeDir } from "./temp-dir.js";

export interface Cluster {
  dir: string;
  nats: NatsTestServer;
  postgresProxy: TcpProxy;
  s3: S3TestServer;
  bucket: string;
  schema: string;
  prefix: string;
  configPath: string;
  ingest: RunningUp;
  workers: Map<string, RunningUp>;
  startWorker(name: string): Promise<RunningUp>;
  /** a direct connection to the shared PostgreSQL (not through the proxy), in the cluster's schema */
  sql<T extends pg.QueryResultRow>(text: string): Promise<T[]>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  workers: number;
  leaseTtlMs?: number;
  heartbeatIntervalMs?: number;
  shards?: number;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const dir = makeTempDir("shopstream-cluster-");
  const nats = await startNatsServer();
  const target = new URL(POSTGRES_URL);
  const postgresProxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const s3 = await startS3Server();
  const bucket = await s3.createBucket();
  const schema = uniqueSchemaName("cluster");
  const prefix = `cl${randomBytes(4).toString("hex")}`;
  const proxiedUrl = new URL(POSTGRES_URL);
  proxiedUrl.hostname = "127.0.0.1";
  proxiedUrl.port = String(postgresProxy.port);
  const jetstream = JSON.stringify({ servers: nats.servers, subjectPrefix: prefix });
  const shards = options.shards ?? 4;
  const yaml = [
    "simulator: { ratePerSec: 0 }",
    "dispatch: { enabled: false }",
    `streams: { events: { shards: ${shards} }, curated: { shards: ${shards} } }`,
    `streamBackend: { type: jetstream, jetstream: ${jetstream} }`,
    `queueBackend: { type: jetstream, jetstream: ${jetstream} }`,
    `store: { backend: postgres, postgres: { url: "${proxiedUrl.href}", schema: ${schema}, poolSize: 4 } }`,
    `lake: { store: s3, s3: ${JSON.stringify(s3.config(bucket, { prefix: "lake/" }))} }`,
    "deliveryStreams: { curated: { bufferIntervalMs: 1000 }, raw: { bufferIntervalMs: 1000 } }",
    `cluster: { leaseTtlMs: ${options.leaseTtlMs ?? 6000}, heartbeatIntervalMs: ${options.heartbeatIntervalMs ?? 1000} }`,
    "",
  ].join("\n");
  const configPath = join(dir, "pipeline.yaml");
  writeFileSync(configPath, yaml);
  const up = (role: string, name: string) => startUp(["--config", configPath, "--data-dir", join(dir, name), "--role", role, "--node-id", name, "--drain-timeout", "5"]);
  // The first process migrates the schema and creates the streams; the others find them.
  const ingest = await up("ingest", "ingest");
  const workers = new Map<string, RunningUp>();
  const startWorker = async (name: string) => {
    const worker = await up("worker", name);
    workers.set(name, worker);
    return worker;
  };
  await Promise.all(Array.from({ length: options.workers }, (_, i) => startWorker(`w${i + 1}`)));
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`SET search_path = ${schema}`);
  return {
    dir,
    nats,
    postgresProxy,
    s3,
    bucket,
    schema,
    prefix,
    configPath,
    ingest,
    workers,
    startWorker,
    sql: async <T extends pg.QueryResultRow>(text: string) => (await admin.query<T>(text)).rows,
    async stop() {
      const running = [ingest, ...workers.values()].filter((p) => p.child.exitCode === null && p.child.signalCode === null);
      for (const p of running) p.child.kill("SIGKILL");
      await Promise.all(running.map((p) => p.exited));
      await admin.end().catch(() => undefined);
      const stream = await JetStreamStream.open({ servers: nats.servers, subjectPrefix: prefix }).catch(() => undefined);
      await stream?.destroyAll().catch(() => undefined);
      await stream?.close();
      await nats.stop();
      await postgresProxy.close();
      await s3.stop();
      await dropSchema(schema).catch(() => undefined);
      removeDir(dir);
    },
  };
}

export interface LoadResult {
  /** event ids acknowledged with a sequence number */
  acked: Set<string>;
  /** answers that were not 200 (503 with Retry-After while the stream is unreachable, …), by status */
  statuses: Map<number, number>;
  elapsedMs: number;
}

/**
 * Posts `events` in NDJSON batches from `clients` concurrent clients; a batch is sent again (only its
 * unacknowledged events) after a 503, a 429 or a network error, until every event is acknowledged.
 * With `ratePerSec`, batches start no faster than that.
 */
export async function sendLoad(url: () => string, events: ShopEvent[], options: { clients: number; batch: number; ratePerSec?: number; onBatch?: (done: number) => void }): Promise<LoadResult> {
  const acked = new Set<string>();
  const statuses = new Map<number, number>();
  const batches: ShopEvent[][] = [];
  for (let i = 0; i < events.length; i += options.batch) batches.push(events.slice(i, i + options.batch));
  let next = 0;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      while (next < batches.length) {
        const index = next++;
        let pending = batches[index]!;
        if (options.ratePerSec !== undefined) {
          const dueMs = started + (index * options.batch * 1000) / options.ratePerSec - performance.now();
          if (dueMs > 0) await new Promise((resolve) => setTimeout(resolve, dueMs));
        }
        for (let attempt = 0; pending.length > 0; attempt++) {
          if (attempt > 600) throw new Error(`a batch was not accepted after ${attempt} attempts`);
          let waitMs = 200;
          try {
            const response = await fetch(`${url()}/v1/events`, {
              method: "POST",
              headers: { "content-type": "application/x-ndjson" },
              body: pending.map((event) => JSON.stringify(event)).join("\n"),
              signal: AbortSignal.timeout(60_000),
            });
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
            if (response.status === 200 || response.status === 400) {
              const body = (await response.json()) as { results: Array<{ sequence_number?: string; error?: { code: string } }> };
              const rejected: ShopEvent[] = [];
              for (const [i, result] of body.results.entries()) {
                if (result.sequence_number !== undefined) acked.add(pending[i]!.event_id);
                else if (result.error?.code === "stream_error") rejected.push(pending[i]!);
                else throw new Error(`event ${pending[i]!.event_id} rejected: ${JSON.stringify(result.error)}`);
              }
              pending = rejected;
              continue;
            }
            const retryAfter = Number(response.headers.get("retry-after") ?? "0");
            await response.arrayBuffer();
            if (response.status !== 503 && response.status !== 429) throw new Error(`ingest answered ${response.status}`);
            waitMs = Math.max(waitMs, retryAfter * 1000);
          } catch (error) {
            if (error instanceof Error && /rejected|answered/.test(error.message)) throw error;
            statuses.set(0, (statuses.get(0) ?? 0) + 1);
          }
          await new Promise((resolve) => setTimeout(resolve, waitMs));
        }
        options.onBatch?.(++done);
      }
    }),
  );
  return { acked, statuses, elapsedMs: performance.now() - started };
}

/** Records after each consumer's checkpoint, summed over its shards: 0 when every function and lake delivery caught up. */
export async function clusterLag(cluster: Cluster): Promise<Record<string, number>> {
  const stream = await JetStreamStream.open({ servers: cluster.nats.servers, subjectPrefix: cluster.prefix });
  try {
    const consumers: Array<[string, string]> = [
      ["function:enrich", "events"],
      ["function:orders", "curated"],
      ["function:customers", "curated"],
      ["function:fraud", "curated"],
      ["lake:curated", "curated"],
      ["lake:raw", "events"],
    ];
    const lag: Record<string, number> = {};
    for (const [consumer, name] of consumers) {
      lag[consumer] = 0;
      for (const { shardId } of (await stream.describeStream(name)).shards) {
        lag[consumer] += await stream.countAfter(name, shardId, await stream.getCheckpoint(consumer, name, shardId));
      }
    }
    return lag;
  } finally {
    await stream.close();
  }
}

export async function streamRecords(cluster: Cluster, name: string): Promise<number> {
  const stream = await JetStreamStream.open({ servers: cluster.nats.servers, subjectPrefix: cluster.prefix });
  try {
    let total = 0;
    for (const { shardId } of (await stream.describeStream(name)).shards) total += await stream.countAfter(name, shardId, undefined);
    return total;
  } finally {
    await stream.close();
  }
}

export interface Effects {
  orders: number;
  orderItems: number;
  revenueCents: number;
  /** processed_events rows of the orders function, and how many distinct event ids they name */
  processedByOrders: number;
  lakeEvents: { rows: number; distinct: number; ids: Set<string> };
  /** the raw zone: every record of `events` as ingested */
  lakeRaw: { rows: number; distinct: number };
}

export async function readEffects(cluster: Cluster): Promise<Effects> {
  const [totals] = await cluster.sql<{ n: string; revenue: string | null }>("SELECT count(*) AS n, sum(total) AS revenue FROM orders");
  const [items] = await cluster.sql<{ n: string }>("SELECT count(*) AS n FROM order_items");
  const [processed] = await cluster.sql<{ n: string }>("SELECT count(*) AS n FROM processed_events WHERE consumer = 'orders'");
  const mirrorDir = join(cluster.dir, `mirror-${randomBytes(3).toString("hex")}`);
  const lake = { store: "s3" as const, s3: cluster.s3.config(cluster.bucket, { prefix: "lake/" }) };
  const { syncForQueries } = openLakeStore(lake as never, mirrorDir);
  const engine = await openAnalytics({ lakeDir: mirrorDir, ...(syncForQueries && { syncLake: syncForQueries }) });
  let lakeEvents: Effects["lakeEvents"];
  try {
    const counts = await engine.query("SELECT count(*), count(DISTINCT event_id) FROM events");
    const ids = await engine.query("SELECT DISTINCT event_id FROM events");
    lakeEvents = { rows: Number(counts.rows[0]?.[0]), distinct: Number(counts.rows[0]?.[1]), ids: new Set(ids.rows.map((row) => String(row[0]))) };
  } finally {
    await engine.close();
  }
  // The raw zone is not mirrored: read its objects straight from the bucket into a scratch dir.
  const rawDir = join(cluster.dir, `raw-${randomBytes(3).toString("hex")}`);
  const local = new LocalObjectStore(rawDir);
  const config = cluster.s3.config(cluster.bucket, { prefix: "lake/" });
  const remote = new S3ObjectStore({ ...config, client: createS3Client(config) });
  for await (const object of remote.list("raw/")) await local.put(object.key, await remote.get(object.key));
  const duck = await DuckDBInstance.create(":memory:");
  const connection = await duck.connect();
  let lakeRaw = { rows: 0, distinct: 0 };
  try {
    const reader = await connection.runAndReadAll(
      `SELECT count(*), count(DISTINCT json_extract_string(line, '$.event_id')) FROM read_csv('${rawDir}/raw/**/*.ndjson.zst', columns = {'line': 'VARCHAR'}, delim = '\u0001', quote = '', escape = '', header = false, compression = 'zstd')`,
    );
    const row = reader.getRows()[0]!;
    lakeRaw = { rows: Number(row[0]), distinct: Number(row[1]) };
  } finally {
    connection.closeSync();
    duck.closeSync();
  }
  return {
    orders: Number(totals?.n ?? 0),
    orderItems: Number(items?.n ?? 0),
    revenueCents: Math.round(Number(totals?.revenue ?? 0) * 100),
    processedByOrders: Number(processed?.n ?? 0),
    lakeEvents,
    lakeRaw,
  };
}

/** What the acknowledged events should have made: orders, their items and revenue. */
export function expectedEffects(events: ShopEvent[], acked: ReadonlySet<string>) {
  const orders = events.filter((event) => event.type === "order_placed" && acked.has(event.event_id)) as Array<ShopEvent<"order_placed">>;
  return {
    orders: orders.length,
    orderItems: orders.reduce((sum, order) => sum + order.payload.items.length, 0),
    revenueCents: orders.reduce((sum, order) => sum + Math.round(order.payload.total * 100), 0),
  };
}

export async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ""}`);
}
