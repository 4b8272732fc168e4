// Access control over real HTTP and the real CLI: API keys and their scopes on ingest and the dashboard's
// API (the AWS endpoints keep SigV4), the warning for a server on the network with no keys, the SQL
// surface locked to the lake, and secrets that never reach a log line or a printed config.
import assert from "node:assert/strict";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { exposureWarning } from "../src/server/index.js";
import { runCli, runCliAsync, startUp } from "../src/test-support/cli.js";
import { startTestServer, type TestServer } from "../src/test-support/server.js";
import { tempDir } from "../src/test-support/temp-dir.js";

const INGEST_KEY = "ingest-key-0123456789abcdef";
const READ_KEY = "read-key-0123456789abcdef";
const ADMIN_KEY = "admin-key-0123456789abcdef";
const AUTH_YAML = `simulator: { ratePerSec: 0 }
server:
  port: 0
  auth:
    apiKeys:
      - { name: producer, key: "\${env:TEST_INGEST_KEY}", scopes: [ingest] }
      - { name: dashboard, key: "\${env:TEST_READ_KEY}", scopes: [read] }
      - { name: ops, key: "\${env:TEST_ADMIN_KEY}", scopes: [admin] }
`;
process.env["TEST_INGEST_KEY"] = INGEST_KEY;
process.env["TEST_READ_KEY"] = READ_KEY;
process.env["TEST_ADMIN_KEY"] = ADMIN_KEY;

const event = (id: string) => ({ event_id: id, type: "page_view", occurred_at: "2026-01-05T08:00:00.000Z", payload: { session_id: "s1", page: "/" } });

async function call(server: TestServer, method: string, path: string, options: { key?: string; bearer?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (options.key !== undefined) headers["x-api-key"] = options.key;
  if (options.bearer !== undefined) headers["authorization"] = `Bearer ${options.bearer}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${server.url}${path}`, { method, headers, ...(options.body !== undefined && { body: JSON.stringify(options.body) }) });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}

describe("API keys", () => {
  it("need a key with the route's scope: ingest for POST /v1/events, read for the dashboard's API, admin for changes", async (t) => {
    const server = await startTestServer(t, { yaml: AUTH_YAML });

    // No key: 401 with a JSON error and WWW-Authenticate.
    const anonymous = await call(server, "POST", "/v1/events", { body: event("anon") });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.json.error.code, "unauthorized");
    assert.match(anonymous.json.error.message, /ingest scope/);
    assert.match(anonymous.headers.get("www-authenticate") ?? "", /^Bearer realm="shopstream"/);
    // A wrong key, or a key of another scope.
    assert.equal((await call(server, "POST", "/v1/events", { key: "not-a-key-0123456789", body: event("wrong") })).status, 401);
    const readOnly = await call(server, "POST", "/v1/events", { key: READ_KEY, body: event("read") });
    assert.equal(readOnly.status, 403);
    assert.equal(readOnly.json.error.code, "forbidden");
    // The ingest key, as x-api-key or as a bearer token; admin may do everything.
    assert.equal((await call(server, "POST", "/v1/events", { key: INGEST_KEY, body: event("i1") })).status, 200);
    assert.equal((await call(server, "POST", "/v1/events", { bearer: INGEST_KEY, body: event("i2") })).status, 200);
    assert.equal((await call(server, "POST", "/v1/events", { key: ADMIN_KEY, body: event("i3") })).status, 200);

    // Reads.
    for (const path of ["/v1/stats", "/v1/pipeline", "/v1/tables", "/v1/dashboard/features", "/v1/customers/segments", "/metrics", "/v1/no-such-route"]) {
      const none = await call(server, "GET", path);
      assert.equal(none.status, 401, `${path} without a key`);
      assert.equal(none.json.error.code, "unauthorized");
      assert.equal((await call(server, "GET", path, { key: INGEST_KEY })).status, 403, `${path} with the ingest key`);
    }
    assert.equal((await call(server, "GET", "/v1/stats", { key: READ_KEY })).status, 200);
    assert.equal((await call(server, "GET", "/v1/stats", { bearer: ADMIN_KEY })).status, 200);
    assert.equal((await call(server, "GET", "/metrics", { key: READ_KEY })).status, 200);

    // Changes need admin.
    for (const [method, path, body] of [
      ["POST", "/v1/queries", { sql: "SELECT 1" }],
      ["POST", "/v1/named-queries", { name: "n", sql: "SELECT 1" }],
      ["POST", "/v1/planning/run", {}],
      ["POST", "/v1/queues/replenishment-dlq/redrive", {}],
      ["POST", "/v1/customers/rfm", {}],
      ["DELETE", "/v1/named-queries/x", undefined],
    ] as const) {
      assert.equal((await call(server, method, path, { key: READ_KEY, ...(body !== undefined && { body }) })).status, 403, `${method} ${path} with the read key`);
    }
    const query = await call(server, "POST", "/v1/queries", { key: ADMIN_KEY, body: { sql: "SELECT 1" } });
    assert.equal(query.status, 200, query.text);

    // Open: health, the dashboard page (it asks for a key itself) and the AWS endpoints, which keep SigV4.
    assert.equal((await call(server, "GET", "/healthz")).status, 200);
    assert.notEqual((await call(server, "GET", "/")).status, 401);
    const aws = await fetch(`${server.url}/`, { method: "POST", headers: { "x-amz-target": "Kinesis_20131202.ListStreams", "content-type": "application/x-amz-json-1.1" }, body: "{}" });
    assert.equal(aws.status, 200);

    // No other spelling of a protected path gets through.
    for (const path of ["//v1/stats", "/v1/stats/", "/V1/stats", "/v1/./stats", "/%76%31/stats", "/v1%2Fstats", "/v1/stats?api_key=" + READ_KEY]) {
      const response = await call(server, "GET", path);
      assert.ok(response.status === 401 || response.status === 404, `${path}: ${response.status}`);
      assert.ok(!response.text.includes("ingest"), `${path} reveals nothing`);
    }
  });

  it("let the live feed take the key as ?api_key=, since EventSource cannot send headers", async (t) => {
    const server = await startTestServer(t, { yaml: AUTH_YAML });
    assert.equal((await fetch(`${server.url}/v1/live`)).status, 401);
    assert.equal((await fetch(`${server.url}/v1/live?api_key=${INGEST_KEY}`)).status, 403);
    const controller = new AbortController();
    const live = await fetch(`${server.url}/v1/live?api_key=${READ_KEY}`, { signal: controller.signal });
    assert.equal(live.status, 200);
    assert.match(live.headers.get("content-type") ?? "", /text\/event-stream/);
    const reader = live.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    assert.match(first, /^event: stats/);
    controller.abort();
  });

  it("leave /metrics open when protectMetrics is false, and everything open with no keys", async (t) => {
    const open = await startTestServer(t, { yaml: `${AUTH_YAML}    protectMetrics: false\n` });
    assert.equal((await call(open, "GET", "/metrics")).status, 200);
    assert.equal((await call(open, "GET", "/v1/stats")).status, 401);
    const none = await startTestServer(t);
    assert.equal((await call(none, "GET", "/v1/stats")).status, 200);
    assert.equal((await call(none, "POST", "/v1/events", { body: event("open") })).status, 200);
  });

  it("are validated in the config: at least 16 characters, known scopes", (t) => {
    const config = (key: string, scopes: string) => `server:\n  auth:\n    apiKeys:\n      - { name: k, key: "${key}", scopes: ${scopes} }\n`;
    const dir = tempDir(t, "shopstream-access-");
    const short = join(dir, "short.yaml");
    writeFileSync(short, config("short", "[read]"));
    const result = runCli(["validate", short]);
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /short\.yaml:\d+:\d+ server\.auth\.apiKeys\.0\.key/);
    const scope = join(dir, "scope.yaml");
    writeFileSync(scope, config("0123456789abcdefXYZ", "[root]"));
    assert.match(runCli(["validate", scope]).stderr, /server\.auth\.apiKeys\.0\.scopes/);
  });
});

describe("the CLI's clients of a server with API keys", () => {
  // No key in the tests' own environment: each run says which key it sends.
  const noEnvKey = { SHOPSTREAM_API_KEY: "" };
  const oneLineWithoutStack = (stderr: string) => {
    assert.equal(stderr.trimEnd().split("\n").length, 1, stderr);
    assert.doesNotMatch(stderr, /\n\s+at /);
  };

  it("top --once sends --api-key (or $SHOPSTREAM_API_KEY), and says in one line when the server refuses it", async (t) => {
    const server = await startTestServer(t, { yaml: AUTH_YAML });
    const ok = await runCliAsync(["top", "--once", "--url", server.url, "--api-key", READ_KEY], { env: noEnvKey });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /function:orders/);
    const fromEnv = await runCliAsync(["top", "--once", "--url", server.url], { env: { SHOPSTREAM_API_KEY: READ_KEY } });
    assert.equal(fromEnv.status, 0, fromEnv.stderr);

    const anonymous = await runCliAsync(["top", "--once", "--url", server.url], { env: noEnvKey });
    assert.equal(anonymous.status, 1);
    assert.match(anonymous.stderr, /^shopstream: http:\/\/.*\/v1\/(pipeline|alarms) answered 401: GET .* needs an API key with read scope.*--api-key or SHOPSTREAM_API_KEY/);
    oneLineWithoutStack(anonymous.stderr);
    const wrongScope = await runCliAsync(["top", "--once", "--url", server.url, "--api-key", INGEST_KEY], { env: noEnvKey });
    assert.equal(wrongScope.status, 1);
    assert.match(wrongScope.stderr, /answered 403: the API key producer lacks read scope/);
    oneLineWithoutStack(wrongScope.stderr);
  });

  it("simulate --target and dispatch send --api-key to ingest, and stop at a refused key with one line", async (t) => {
    const server = await startTestServer(t, { yaml: AUTH_YAML });
    const sent = await runCliAsync(["simulate", "--target", server.url, "--api-key", INGEST_KEY, "--count", "20", "--rate", "200"], { env: noEnvKey });
    assert.equal(sent.status, 0, sent.stderr);
    assert.match(sent.stdout, /sent 20 events .*: 20 accepted, 0 rejected/);

    const refused = await runCliAsync(["simulate", "--target", server.url, "--count", "20", "--rate", "200"], { env: { SHOPSTREAM_API_KEY: READ_KEY } });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /^shopstream: http:\/\/.*\/v1\/events answered 403: the API key dashboard lacks ingest scope/);
    oneLineWithoutStack(refused.stderr);

    const dispatch = await runCliAsync(["dispatch", "--data-dir", server.dataDir, "--target", server.url], { env: noEnvKey });
    assert.equal(dispatch.status, 1);
    assert.match(dispatch.stderr, /^shopstream: POST http:\/\/.*\/v1\/events answered 401: .*ingest scope.*--api-key or SHOPSTREAM_API_KEY/);
    oneLineWithoutStack(dispatch.stderr);
  });
});

describe("binding", () => {
  it("warns when the server is reachable from the network with no API keys", async (t) => {
    assert.equal(exposureWarning("127.0.0.1", { apiKeys: 0, awsAccessKeys: 0 }), undefined);
    assert.equal(exposureWarning("::1", { apiKeys: 0, awsAccessKeys: 0 }), undefined);
    assert.equal(exposureWarning("localhost", { apiKeys: 0, awsAccessKeys: 0 }), undefined);
    assert.equal(exposureWarning("0.0.0.0", { apiKeys: 1, awsAccessKeys: 0 }), undefined);
    assert.match(exposureWarning("0.0.0.0", { apiKeys: 0, awsAccessKeys: 0 }) ?? "", /binding to 0\.0\.0\.0 with no API keys.*server\.auth\.apiKeys/);
    assert.match(exposureWarning("10.1.2.3", { apiKeys: 0, awsAccessKeys: 0 }) ?? "", /refuse non-loopback clients/);

    process.env["SHOPSTREAM_LOG_LEVEL"] = "warn";
    const up = await startUp(["--host", "0.0.0.0", "--simulate-rate", "0", "--data-dir", tempDir(t, "shopstream-expose-")]);
    try {
      assert.match(up.output(), /shopstream: WARNING: binding to 0\.0\.0\.0 with no API keys/);
      assert.match(up.output(), /"level":40.*binding to 0\.0\.0\.0/, "and a pino warning");
    } finally {
      up.child.kill("SIGTERM");
      await up.exited;
    }
  });
});

describe("the SQL surface over HTTP", () => {
  it("cannot read or write outside the lake through POST /v1/queries or Athena's StartQueryExecution", async (t) => {
    const server = await startTestServer(t, { yaml: AUTH_YAML });
    const outside = tempDir(t, "shopstream-outside-");
    writeFileSync(join(outside, "secret.csv"), "secret\nTOP-SECRET-VALUE\n");
    const lakeBefore = existsSync(server.pipeline.paths.lakeDir) ? readdirSync(server.pipeline.paths.lakeDir, { recursive: true }).length : 0;
    const attempts = [
      "SELECT * FROM read_csv('/etc/passwd')",
      "SELECT * FROM read_parquet('/etc/passwd')",
      "SELECT * FROM read_json('/etc/passwd')",
      "SELECT * FROM read_text('/etc/passwd')",
      `SELECT * FROM read_csv('${outside}/secret.csv')`,
      `SELECT * FROM '${outside}/secret.csv'`,
      `SELECT * FROM read_csv('${server.pipeline.paths.lakeDir}/../../${outside}/secret.csv')`,
      "SELECT * FROM glob('/etc/*')",
      `COPY (SELECT 1) TO '${outside}/out.csv'`,
      `COPY (SELECT 1) TO '${server.pipeline.paths.lakeDir}/inside.csv'`,
      `EXPLAIN ANALYZE COPY (SELECT 1) TO '${outside}/explained.csv'`,
      `CREATE TABLE leak AS SELECT * FROM read_text('/etc/passwd')`,
      `CREATE TABLE x WITH (external_location = '${outside}/x') AS SELECT 1 AS a`,
      "INSTALL httpfs",
      "LOAD httpfs",
      `ATTACH '${outside}/other.db' AS other`,
      "SET enable_external_access = true",
      "SET GLOBAL allowed_directories = ['/']",
      "SET lock_configuration = false",
      "RESET enable_external_access",
      "PRAGMA enable_external_access = true",
      "SELECT 1; COPY (SELECT 1) TO '/tmp/second.csv'",
      "SELECT * FROM 'https://example.com/data.parquet'",
    ];
    for (const sql of attempts) {
      const started = await call(server, "POST", "/v1/queries", { key: ADMIN_KEY, body: { sql } });
      let final = started.json;
      if (started.status === 200) {
        for (;;) {
          final = (await call(server, "GET", `/v1/queries/${started.json.queryExecutionId}`, { key: READ_KEY })).json;
          if (!["QUEUED", "RUNNING"].includes(final.state)) break;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        assert.equal(final.state, "FAILED", `${sql}: ${JSON.stringify(final)}`);
        assert.match(final.error.code, /statement_not_allowed|permission|multiple_statements|unsupported_property|sql_error|invalid/i, sql);
      } else {
        assert.ok(started.status >= 400 && started.status < 500, `${sql}: ${started.status}`);
      }
      assert.ok(!JSON.stringify(final).includes("root:x:0:0") && !JSON.stringify(final).includes("TOP-SECRET-VALUE"), `${sql} leaks nothing`);
    }
    // Athena's API on the AWS endpoint is the same service.
    const athena = await fetch(`${server.url}/`, {
      method: "POST",
      headers: { "x-amz-target": "AmazonAthena.StartQueryExecution", "content-type": "application/x-amz-json-1.1" },
      body: JSON.stringify({ QueryString: "SELECT * FROM read_csv('/etc/passwd')" }),
    });
    const { QueryExecutionId } = (await athena.json()) as { QueryExecutionId: string };
    let state = "QUEUED";
    while (state === "QUEUED" || state === "RUNNING") {
      const answer = await fetch(`${server.url}/`, { method: "POST", headers: { "x-amz-target": "AmazonAthena.GetQueryExecution", "content-type": "application/x-amz-json-1.1" }, body: JSON.stringify({ QueryExecutionId }) });
      state = ((await answer.json()) as { QueryExecution: { Status: { State: string } } }).QueryExecution.Status.State;
    }
    assert.equal(state, "FAILED");
    for (const file of ["out.csv", "explained.csv", "other.db", "x"]) assert.ok(!existsSync(join(outside, file)), `${file} was not written`);
    assert.ok(!existsSync("/tmp/second.csv"));
    assert.ok(!existsSync(join(server.pipeline.paths.lakeDir, "inside.csv")));
    const lakeAfter = readdirSync(server.pipeline.paths.lakeDir, { recursive: true }).length;
    assert.ok(lakeAfter >= lakeBefore, "the lake lost nothing");
  });
});

describe("secrets", () => {
  const SECRETS = {
    SECRET_API_KEY: "s3cr3t-api-key-fedcba9876543210",
    SECRET_AWS_KEY: "s3cr3t-aws-secret-key-0123456789",
    SECRET_S3_KEY: "s3cr3t-s3-secret-key-0123456789",
    SECRET_PG_PASSWORD: "s3cr3t-pg-password-0123456789",
  };
  const CONFIG = `simulator: { ratePerSec: 0 }
server:
  auth:
    apiKeys:
      - { name: everything, key: "\${env:SECRET_API_KEY}", scopes: [admin] }
aws:
  accessKeys:
    - { accessKeyId: AKIDSHOPSTREAMTEST, secretAccessKey: "\${env:SECRET_AWS_KEY}" }
`;

  it("never appear in the logs of a run at debug level, whatever the requests carry", async (t) => {
    Object.assign(process.env, SECRETS, { SHOPSTREAM_LOG_LEVEL: "debug" });
    const dir = tempDir(t, "shopstream-secrets-");
    const file = join(dir, "pipeline.yaml");
    writeFileSync(file, CONFIG);
    const up = await startUp(["--config", file, "--simulate-rate", "0", "--data-dir", join(dir, "data")]);
    try {
      const key = SECRETS.SECRET_API_KEY;
      const headers = { "x-api-key": key, authorization: `Bearer ${key}`, cookie: `session=${key}` };
      await fetch(`${up.url}/v1/events`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(event("e1")) });
      await fetch(`${up.url}/v1/events`, { method: "POST", headers: { "x-api-key": `${key}-wrong` }, body: "{" });
      await fetch(`${up.url}/v1/stats`, { headers: { authorization: `Bearer ${key}x` } });
      await fetch(`${up.url}/v1/live?api_key=${key}-wrong`);
      // AWS requests with a bad signature that names the secret, and one with none.
      await fetch(`${up.url}/`, {
        method: "POST",
        headers: { "x-amz-target": "Kinesis_20131202.ListStreams", "content-type": "application/x-amz-json-1.1", authorization: `AWS4-HMAC-SHA256 Credential=AKIDSHOPSTREAMTEST/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=${SECRETS.SECRET_AWS_KEY}` },
        body: "{}",
      });
      await fetch(`${up.url}/`, { method: "POST", headers: { "x-amz-target": "Kinesis_20131202.Nope" }, body: "{" });
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      up.child.kill("SIGTERM");
      await up.exited;
    }
    const output = up.output();
    assert.match(output, /"level":30.*request with an unknown API key refused/, "the run logged, refusals too");
    for (const [name, secret] of Object.entries(SECRETS)) assert.ok(!output.includes(secret), `${name} is not in the output`);
  });

  it("are masked in `shopstream validate --print-config`", (t) => {
    Object.assign(process.env, SECRETS);
    const dir = tempDir(t, "shopstream-print-");
    const file = join(dir, "pipeline.yaml");
    writeFileSync(
      file,
      CONFIG +
        `lake:\n  store: s3\n  s3: { bucket: shop-lake, endpoint: "http://127.0.0.1:9000", accessKeyId: AKIDS3, secretAccessKey: "\${env:SECRET_S3_KEY}" }\n` +
        `store:\n  backend: postgres\n  postgres: { url: "postgres://shop:\${env:SECRET_PG_PASSWORD}@db.internal:5432/shop" }\n`,
    );
    const result = runCli(["validate", file, "--print-config"]);
    assert.equal(result.status, 0, result.stderr);
    for (const [name, secret] of Object.entries(SECRETS)) assert.ok(!(result.stdout + result.stderr).includes(secret), `${name} is masked`);
    const printed = JSON.parse(result.stdout);
    assert.equal(printed.server.auth.apiKeys[0].key, "[redacted]");
    assert.equal(printed.server.auth.apiKeys[0].name, "everything");
    assert.equal(printed.aws.accessKeys[0].secretAccessKey, "[redacted]");
    assert.equal(printed.aws.accessKeys[0].accessKeyId, "AKIDSHOPSTREAMTEST");
    assert.equal(printed.lake.s3.secretAccessKey, "[redacted]");
    assert.equal(printed.store.postgres.url, "postgres://shop:[redacted]@db.internal:5432/shop");
  });
});
