// The Athena API with the official AWS SDK v3 client over the pipeline's query service: the query lifecycle
// with UUID ids, results paged with the header row first and Athena's column types, failures carrying
// DuckDB's message, stopping, the history, named queries that the HTTP API shares and that survive a
// restart, the catalog, and AWS's error codes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BatchGetNamedQueryCommand,
  BatchGetQueryExecutionCommand,
  CreateNamedQueryCommand,
  DeleteNamedQueryCommand,
  GetNamedQueryCommand,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetTableMetadataCommand,
  GetWorkGroupCommand,
  ListDatabasesCommand,
  ListNamedQueriesCommand,
  ListQueryExecutionsCommand,
  ListTableMetadataCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type AthenaClient,
  type QueryExecution,
  type Row,
} from "@aws-sdk/client-athena";
import { startTestServer } from "../../src/test-support/server.js";
import { makeTempDir, removeDir } from "../../src/test-support/temp-dir.js";
import { athenaClient, awsErrorOf } from "./aws-test-clients.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const YAML = "simulator: { ratePerSec: 0 }\nserver: { port: 0 }\n";

async function finished(athena: AthenaClient, id: string, timeoutMs = 30_000): Promise<QueryExecution> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { QueryExecution: execution } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
    const state = execution?.Status?.State;
    if (state === "SUCCEEDED" || state === "FAILED" || state === "CANCELLED") return execution!;
    if (Date.now() > deadline) throw new Error(`query ${id} still ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function run(athena: AthenaClient, sql: string): Promise<QueryExecution> {
  const { QueryExecutionId } = await athena.send(new StartQueryExecutionCommand({ QueryString: sql }));
  return finished(athena, QueryExecutionId!);
}

const values = (row: Row | undefined) => row?.Data?.map((datum) => datum.VarCharValue ?? null);

describe("Athena API (AWS SDK v3)", () => {
  it("runs a query through its lifecycle and answers its typed results, header row first", async (t) => {
    const server = await startTestServer(t, { yaml: YAML });
    const athena = athenaClient(server.url);
    const sql =
      "SELECT 42::BIGINT AS n, 'shelf' AS label, 1.5::DOUBLE AS ratio, 12.5::DECIMAL(10,2) AS price, TIMESTAMP '2026-01-31 12:00:00' AS at, " +
      "DATE '2026-01-31' AS day, true AS ok, NULL::VARCHAR AS nothing, [1, 2] AS list, {'a': 1, 'b': 'x'} AS pair, 7::INTEGER AS small";
    const started = await athena.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        QueryExecutionContext: { Database: "shopstream", Catalog: "AwsDataCatalog" },
        ResultConfiguration: { OutputLocation: "s3://my-results/athena" },
        WorkGroup: "primary",
      }),
    );
    assert.match(started.QueryExecutionId ?? "", UUID);
    const execution = await finished(athena, started.QueryExecutionId!);
    assert.equal(execution.Status?.State, "SUCCEEDED");
    assert.equal(execution.Query, sql);
    assert.equal(execution.StatementType, "DML");
    assert.equal(execution.WorkGroup, "primary");
    assert.deepEqual(execution.QueryExecutionContext, { Database: "shopstream", Catalog: "AwsDataCatalog" });
    assert.equal(execution.ResultConfiguration?.OutputLocation, `s3://my-results/athena/${started.QueryExecutionId}.csv`);
    assert.ok(execution.Status?.SubmissionDateTime instanceof Date);
    assert.ok(execution.Status!.CompletionDateTime!.getTime() >= execution.Status!.SubmissionDateTime!.getTime());
    assert.equal(typeof execution.Statistics?.EngineExecutionTimeInMillis, "number");
    assert.equal(execution.Statistics?.DataScannedInBytes, 0);

    // The same execution through the HTTP API: one query service.
    const viaHttp = (await (await fetch(`${server.url}/v1/queries/${started.QueryExecutionId}`)).json()) as { state: string };
    assert.equal(viaHttp.state, "SUCCEEDED");

    const results = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: started.QueryExecutionId }));
    const columns = results.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
    assert.deepEqual(
      columns.map((column) => [column.Name, column.Type]),
      [
        ["n", "bigint"],
        ["label", "varchar"],
        ["ratio", "double"],
        ["price", "decimal"],
        ["at", "timestamp"],
        ["day", "date"],
        ["ok", "boolean"],
        ["nothing", "varchar"],
        ["list", "array"],
        ["pair", "row"],
        ["small", "integer"],
      ],
    );
    assert.deepEqual([columns[3]?.Precision, columns[3]?.Scale], [10, 2]);
    assert.equal(columns[0]?.Label, "n");
    const [header, row] = results.ResultSet?.Rows ?? [];
    assert.deepEqual(values(header), ["n", "label", "ratio", "price", "at", "day", "ok", "nothing", "list", "pair", "small"]);
    assert.deepEqual(values(row), ["42", "shelf", "1.5", "12.50", "2026-01-31 12:00:00.000", "2026-01-31", "true", null, "[1, 2]", "{a=1, b=x}", "7"]);
    assert.equal(results.NextToken, undefined);
    assert.equal(results.UpdateCount, 0);
  });

  it("pages results (MaxResults ≤ 1000, the header in the first page) and the history", async (t) => {
    const server = await startTestServer(t, { yaml: YAML });
    const athena = athenaClient(server.url);
    const execution = await run(athena, "SELECT i FROM range(2500) t(i) ORDER BY i");
    const id = execution.QueryExecutionId!;
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, ...(token && { NextToken: token }) }));
      const rows = page.ResultSet?.Rows ?? [];
      assert.ok(rows.length <= 1000);
      seen.push(...rows.map((row) => values(row)![0]!));
      token = page.NextToken;
      pages++;
    } while (token);
    assert.equal(pages, 3);
    assert.equal(seen[0], "i");
    assert.deepEqual(seen.slice(1).map(Number), Array.from({ length: 2500 }, (_, i) => i));

    const first = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1 }));
    assert.deepEqual(first.ResultSet?.Rows?.map(values), [["i"]]);
    const second = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 2, NextToken: first.NextToken }));
    assert.deepEqual(second.ResultSet?.Rows?.map(values), [["0"], ["1"]]);
    const tooMany = await awsErrorOf(athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1001 })));
    assert.equal(tooMany.name, "ValidationException");
    const other = await run(athena, "SELECT 1 AS one");
    const foreignToken = await awsErrorOf(athena.send(new GetQueryResultsCommand({ QueryExecutionId: other.QueryExecutionId, NextToken: first.NextToken })));
    assert.equal(foreignToken.name, "InvalidRequestException");
    assert.equal(foreignToken.fields["AthenaErrorCode"], "INVALID_INPUT");

    // The history: newest first, paged.
    const listed: string[] = [];
    let next: string | undefined;
    do {
      const page = await athena.send(new ListQueryExecutionsCommand({ MaxResults: 1, ...(next && { NextToken: next }) }));
      listed.push(...(page.QueryExecutionIds ?? []));
      next = page.NextToken;
    } while (next);
    assert.deepEqual(listed, [other.QueryExecutionId, id]);

    const batch = await athena.send(new BatchGetQueryExecutionCommand({ QueryExecutionIds: [id, "00000000-0000-4000-8000-000000000000"] }));
    assert.deepEqual(batch.QueryExecutions?.map((e) => e.QueryExecutionId), [id]);
    assert.equal(batch.UnprocessedQueryExecutionIds?.[0]?.QueryExecutionId, "00000000-0000-4000-8000-000000000000");
    assert.equal(batch.UnprocessedQueryExecutionIds?.[0]?.ErrorCode, "INVALID_INPUT");
  });

  it("reports failed queries with DuckDB's message, stops running ones, and refuses what Athena refuses", async (t) => {
    const server = await startTestServer(t, { yaml: YAML });
    const athena = athenaClient(server.url);
    const failed = await run(athena, "SELECT revenu FROM daily_sales");
    assert.equal(failed.Status?.State, "FAILED");
    assert.match(failed.Status?.StateChangeReason ?? "", /Binder Error: Referenced column "revenu" not found/);
    assert.equal(failed.Status?.AthenaError?.ErrorCategory, 2);
    const noResults = await awsErrorOf(athena.send(new GetQueryResultsCommand({ QueryExecutionId: failed.QueryExecutionId })));
    assert.equal(noResults.name, "InvalidRequestException");
    assert.match(noResults.message, /Final query state: FAILED/);
    assert.equal(noResults.fields["AthenaErrorCode"], "INVALID_QUERY_EXECUTION_STATE");
    // The sandbox's refusals are failures too.
    const refused = await run(athena, "COPY (SELECT 1) TO '/tmp/out.csv'");
    assert.equal(refused.Status?.State, "FAILED");

    const slow = await athena.send(new StartQueryExecutionCommand({ QueryString: "SELECT sum(i * i) FROM range(1000000000000) t(i)" }));
    const running = await awsErrorOf(athena.send(new GetQueryResultsCommand({ QueryExecutionId: slow.QueryExecutionId })));
    assert.equal(running.name, "InvalidRequestException");
    assert.match(running.message, /Query has not yet finished. Current state: (QUEUED|RUNNING)/);
    assert.equal(running.fields["AthenaErrorCode"], "INVALID_QUERY_EXECUTION_STATE");
    await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: slow.QueryExecutionId }));
    const stopped = await finished(athena, slow.QueryExecutionId!);
    assert.equal(stopped.Status?.State, "CANCELLED");
    // Stopping a finished query changes nothing.
    await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: failed.QueryExecutionId }));
    assert.equal((await finished(athena, failed.QueryExecutionId!)).Status?.State, "FAILED");

    // The same ClientRequestToken answers the same execution.
    const token = "workshop-token-0000000000000000000001";
    const once = await athena.send(new StartQueryExecutionCommand({ QueryString: "SELECT 1", ClientRequestToken: token }));
    const twice = await athena.send(new StartQueryExecutionCommand({ QueryString: "SELECT 1", ClientRequestToken: token }));
    assert.equal(once.QueryExecutionId, twice.QueryExecutionId);

    const unknown = await awsErrorOf(athena.send(new GetQueryExecutionCommand({ QueryExecutionId: "00000000-0000-4000-8000-000000000000" })));
    assert.deepEqual([unknown.name, unknown.status], ["InvalidRequestException", 400]);
    assert.match(unknown.message, /was not found/);
    assert.equal(unknown.fields["AthenaErrorCode"], "INVALID_INPUT");
    assert.equal((await awsErrorOf(athena.send(new StopQueryExecutionCommand({ QueryExecutionId: "nope" })))).name, "InvalidRequestException");
    const otherWorkGroup = await awsErrorOf(athena.send(new StartQueryExecutionCommand({ QueryString: "SELECT 1", WorkGroup: "analysts" })));
    assert.deepEqual([otherWorkGroup.name, otherWorkGroup.fields["AthenaErrorCode"]], ["InvalidRequestException", "INVALID_INPUT"]);
    assert.equal((await awsErrorOf(athena.send(new StartQueryExecutionCommand({ QueryString: "SELECT 1", QueryExecutionContext: { Database: "sales" } })))).name, "InvalidRequestException");
    assert.equal((await awsErrorOf(athena.send(new StartQueryExecutionCommand({ QueryString: "SELECT 1", ResultConfiguration: { OutputLocation: "/tmp/x" } })))).name, "InvalidRequestException");
    assert.equal((await awsErrorOf(athena.send(new StartQueryExecutionCommand({ QueryString: "SELECT ?", ExecutionParameters: ["1"] })))).name, "InvalidRequestException");
    const empty = await awsErrorOf(athena.send(new StartQueryExecutionCommand({ QueryString: "" })));
    assert.equal(empty.name, "ValidationException");
    assert.equal(empty.fields["AthenaErrorCode"], undefined);
  });

  it("keeps named queries in the store the HTTP API uses, across a restart, and throttles as Athena does", async (t) => {
    const dataDir = makeTempDir();
    t.after(() => removeDir(dataDir));
    const server = await startTestServer(t, { yaml: YAML, dataDir });
    const athena = athenaClient(server.url);
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      const created = await athena.send(new CreateNamedQueryCommand({ Name: `low stock ${n}`, Description: "shelves below their reorder point", Database: "default", QueryString: `SELECT * FROM low_stock LIMIT ${n}` }));
      assert.match(created.NamedQueryId ?? "", UUID);
      ids.push(created.NamedQueryId!);
    }
    const got = (await athena.send(new GetNamedQueryCommand({ NamedQueryId: ids[0] }))).NamedQuery;
    assert.deepEqual(
      { name: got?.Name, description: got?.Description, database: got?.Database, sql: got?.QueryString, id: got?.NamedQueryId, workGroup: got?.WorkGroup },
      { name: "low stock 1", description: "shelves below their reorder point", database: "default", sql: "SELECT * FROM low_stock LIMIT 1", id: ids[0], workGroup: "primary" },
    );
    const viaHttp = (await (await fetch(`${server.url}/v1/named-queries/${ids[1]}`)).json()) as { name: string };
    assert.equal(viaHttp.name, "low stock 2");

    const listed: string[] = [];
    let next: string | undefined;
    do {
      const page = await athena.send(new ListNamedQueriesCommand({ MaxResults: 2, ...(next && { NextToken: next }) }));
      assert.ok((page.NamedQueryIds ?? []).length <= 2);
      listed.push(...(page.NamedQueryIds ?? []));
      next = page.NextToken;
    } while (next);
    assert.deepEqual(listed, ids);

    const batch = await athena.send(new BatchGetNamedQueryCommand({ NamedQueryIds: [ids[2]!, "00000000-0000-4000-8000-000000000000"] }));
    assert.deepEqual(batch.NamedQueries?.map((query) => query.Name), ["low stock 3"]);
    assert.equal(batch.UnprocessedNamedQueryIds?.[0]?.NamedQueryId, "00000000-0000-4000-8000-000000000000");

    await athena.send(new DeleteNamedQueryCommand({ NamedQueryId: ids[2] }));
    assert.equal((await awsErrorOf(athena.send(new GetNamedQueryCommand({ NamedQueryId: ids[2] })))).name, "InvalidRequestException");
    assert.equal((await awsErrorOf(athena.send(new DeleteNamedQueryCommand({ NamedQueryId: ids[2] })))).name, "InvalidRequestException");
    assert.equal((await awsErrorOf(athena.send(new CreateNamedQueryCommand({ Name: "x", Database: "sales", QueryString: "SELECT 1" })))).name, "InvalidRequestException");

    // The catalog: the lake's tables in database default.
    assert.deepEqual((await athena.send(new ListDatabasesCommand({ CatalogName: "AwsDataCatalog" }))).DatabaseList?.map((db) => db.Name), ["default"]);
    const tables = (await athena.send(new ListTableMetadataCommand({ CatalogName: "AwsDataCatalog", DatabaseName: "default", Expression: "inventory*|orders" }))).TableMetadataList ?? [];
    assert.deepEqual(tables.map((table) => table.Name), ["inventory_snapshots", "orders"]);
    const orders = (await athena.send(new GetTableMetadataCommand({ CatalogName: "AwsDataCatalog", DatabaseName: "default", TableName: "orders" }))).TableMetadata;
    assert.deepEqual(orders?.PartitionKeys?.map((key) => key.Name), ["dt", "hour"]);
    assert.ok(orders?.Columns?.some((column) => column.Name === "total"));
    assert.equal((await athena.send(new GetWorkGroupCommand({ WorkGroup: "primary" }))).WorkGroup?.State, "ENABLED");

    await server.stop();
    const again = await startTestServer(t, {
      yaml: YAML,
      dataDir,
      patch: (config) => {
        config.analytics.maxQueuedQueries = 0;
      },
    });
    const athenaAgain = athenaClient(again.url);
    assert.equal((await athenaAgain.send(new GetNamedQueryCommand({ NamedQueryId: ids[1] }))).NamedQuery?.Name, "low stock 2");
    const throttled = await awsErrorOf(athenaAgain.send(new StartQueryExecutionCommand({ QueryString: "SELECT 1" })));
    assert.deepEqual([throttled.name, throttled.status], ["TooManyRequestsException", 400]);
  });
});
