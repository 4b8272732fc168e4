// The Lambda and Athena operations with the AWS CLI v2 (Debian's awscli, /usr/bin/aws) pointed at the server
// with --endpoint-url, as a user would: `aws lambda invoke --function-name StorePlanning out.json` writes
// the planning report, and a query goes through start-query-execution, get-query-execution and
// get-query-results. Skipped when the CLI is missing, a failure under CI=true (as aws-cli.test.ts).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { awsCli } from "../../src/test-support/backends.js";
import { startTestServer } from "../../src/test-support/server.js";
import { makeTempDir, removeDir } from "../../src/test-support/temp-dir.js";
import { awsCliRunner } from "./aws-test-clients.js";

const availability = awsCli();

describe("AWS CLI v2: Lambda and Athena", { skip: availability.skip }, () => {
  it("lists functions and invokes StorePlanning into out.json", async (t) => {
    const server = await startTestServer(t);
    const dir = makeTempDir();
    t.after(() => removeDir(dir));
    const aws = awsCliRunner(server.url, { cwd: dir });

    const listed = await aws.json("lambda", "list-functions");
    const planning = listed["Functions"].find((fn: { FunctionName: string }) => fn.FunctionName === "StorePlanning");
    assert.equal(planning["FunctionArn"], "arn:aws:lambda:us-east-1:000000000000:function:StorePlanning");
    assert.equal(planning["Runtime"], "nodejs20.x");
    assert.equal((await aws.json("lambda", "get-function", "--function-name", "orders"))["Configuration"]["Handler"], "shopstream.orders");

    const invoked = await aws.json("lambda", "invoke", "--function-name", "StorePlanning", "out.json");
    assert.deepEqual([invoked["StatusCode"], invoked["ExecutedVersion"], invoked["FunctionError"]], [200, "$LATEST", undefined]);
    const report = JSON.parse(readFileSync(join(dir, "out.json"), "utf8")) as Record<string, unknown>;
    assert.match(String(report["runId"]), /^[0-9a-f-]{36}$/);
    assert.equal(typeof report["storesChecked"], "number");
    assert.ok(Array.isArray(report["belowReorderPoint"]));

    const withOptions = await aws.json("lambda", "invoke", "--function-name", "StorePlanning", "--payload", '{"store_id": 7}', "--log-type", "Tail", "failed.json");
    assert.equal(withOptions["FunctionError"], "Unhandled");
    assert.match(Buffer.from(withOptions["LogResult"], "base64").toString("utf8"), /^START RequestId: /);
    assert.equal(JSON.parse(readFileSync(join(dir, "failed.json"), "utf8"))["errorType"], "ValidationError");
    const queued = await aws.json("lambda", "invoke", "--function-name", "StorePlanning", "--invocation-type", "Event", "event.json");
    assert.equal(queued["StatusCode"], 202);

    assert.equal(await aws.error("lambda", "invoke", "--function-name", "NoSuchFunction", "nope.json"), "ResourceNotFoundException");
  });

  it("runs a query through start-query-execution, get-query-execution and get-query-results", async (t) => {
    const server = await startTestServer(t);
    const aws = awsCliRunner(server.url);
    const started = await aws.json("athena", "start-query-execution", "--query-string", "SELECT 7::BIGINT AS trucks, 'S001' AS store_id", "--work-group", "primary");
    const id = started["QueryExecutionId"] as string;
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    let execution: Record<string, any> = {};
    for (let attempt = 0; attempt < 100; attempt++) {
      execution = (await aws.json("athena", "get-query-execution", "--query-execution-id", id))["QueryExecution"];
      if (!["QUEUED", "RUNNING"].includes(execution["Status"]["State"])) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(execution["Status"]["State"], "SUCCEEDED");
    assert.equal(execution["QueryExecutionContext"]["Database"], "default");
    const results = await aws.json("athena", "get-query-results", "--query-execution-id", id);
    assert.deepEqual(
      results["ResultSet"]["Rows"].map((row: { Data: Array<{ VarCharValue?: string }> }) => row.Data.map((datum) => datum.VarCharValue)),
      [
        ["trucks", "store_id"],
        ["7", "S001"],
      ],
    );
    assert.deepEqual(
      results["ResultSet"]["ResultSetMetadata"]["ColumnInfo"].map((column: { Name: string; Type: string }) => [column.Name, column.Type]),
      [
        ["trucks", "bigint"],
        ["store_id", "varchar"],
      ],
    );

    const saved = await aws.json("athena", "create-named-query", "--name", "trucks", "--database", "default", "--query-string", "SELECT 1");
    assert.ok((await aws.json("athena", "list-named-queries"))["NamedQueryIds"].includes(saved["NamedQueryId"]));
    const named = (await aws.json("athena", "get-named-query", "--named-query-id", saved["NamedQueryId"]))["NamedQuery"];
    assert.deepEqual([named["Name"], named["QueryString"]], ["trucks", "SELECT 1"]);
    await aws.json("athena", "delete-named-query", "--named-query-id", saved["NamedQueryId"]);
    assert.ok(!(await aws.json("athena", "list-named-queries"))["NamedQueryIds"].includes(saved["NamedQueryId"]));
    assert.ok((await aws.json("athena", "list-query-executions"))["QueryExecutionIds"].includes(id));
    await aws.json("athena", "stop-query-execution", "--query-execution-id", id);
    assert.equal(await aws.error("athena", "get-query-execution", "--query-execution-id", "00000000-0000-4000-8000-000000000000"), "InvalidRequestException");
  });
});
