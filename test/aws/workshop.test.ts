// The store-inventory workshop, written only against the AWS SDK v3 clients as it would be for AWS, run
// unchanged against shopstream: stores report inventory snapshots through Firehose into the lake's
// inventory_snapshots table; Lambda runs store planning, which puts one replenishment alert per shelf below
// its reorder point on the SQS queue `replenishment`; a consumer receives the alerts, "dispatches trucks"
// by putting truck and delivery events on the Kinesis stream `events`, and deletes the messages; Athena
// sees the deliveries in the lake, and planning run again finds the shelves filled.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, AthenaClient } from "@aws-sdk/client-athena";
import { CreateDeliveryStreamCommand, FirehoseClient, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import { KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { LAKE_TABLES } from "../../src/lake/index.js";
import { startTestServer } from "../../src/test-support/server.js";

interface AwsClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

interface ReplenishmentAlert {
  store_id: string;
  product_id: string;
  quantity: number;
}

const encoder = new TextEncoder();

// ---- the workshop's code: AWS SDK only ----

/** The StoreApp: each store reports what is on its shelves. */
async function reportInventory(firehose: FirehoseClient, snapshots: Array<{ store: string; product: string; onHand: number; reorderPoint: number; targetLevel: number }>) {
  const now = new Date().toISOString();
  const records = snapshots.map((snapshot, i) => ({
    Data: encoder.encode(
      `${JSON.stringify({
        event_id: `workshop-snapshot-${Date.now()}-${i}`,
        type: "inventory_snapshot",
        occurred_at: now,
        ingested_at: now,
        store_id: snapshot.store,
        product_id: snapshot.product,
        payload: { store_id: snapshot.store, product_id: snapshot.product, on_hand: snapshot.onHand, reorder_point: snapshot.reorderPoint, target_level: snapshot.targetLevel },
      })}\n`,
    ),
  }));
  const answer = await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: "store-inventory", Records: records }));
  if (answer.FailedPutCount !== 0) throw new Error(`${answer.FailedPutCount} snapshots were refused`);
}

/** Runs one Athena query to the end and answers its data rows (the header row dropped). */
async function athenaRows(athena: AthenaClient, sql: string): Promise<Array<Array<string | undefined>>> {
  const { QueryExecutionId } = await athena.send(new StartQueryExecutionCommand({ QueryString: sql, QueryExecutionContext: { Database: "default" }, WorkGroup: "primary" }));
  for (;;) {
    const state = (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId }))).QueryExecution?.Status;
    if (state?.State === "SUCCEEDED") break;
    if (state?.State === "FAILED" || state?.State === "CANCELLED") throw new Error(`query ${state.State}: ${state.StateChangeReason}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const rows = (await athena.send(new GetQueryResultsCommand({ QueryExecutionId }))).ResultSet?.Rows ?? [];
  return rows.slice(1).map((row) => (row.Data ?? []).map((datum) => datum.VarCharValue));
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The StorePlanningApp, invoked: its report. */
async function planStores(lambda: LambdaClient, options: Record<string, unknown> = {}): Promise<{ sent: number; belowReorderPoint: Array<ReplenishmentAlert & { outcome: string }> }> {
  const answer = await lambda.send(new InvokeCommand({ FunctionName: "StorePlanning", Payload: encoder.encode(JSON.stringify(options)) }));
  const payload = JSON.parse(new TextDecoder().decode(answer.Payload));
  if (answer.FunctionError) throw new Error(`StorePlanning failed: ${payload.errorMessage}`);
  return payload;
}

/** The TruckDispatchApp: one truck per store with alerts; its trip's events go to the stream, then the alerts are deleted. */
async function dispatchTrucks(sqs: SQSClient, kinesis: KinesisClient, expected: number): Promise<ReplenishmentAlert[]> {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "replenishment" }));
  const handled: ReplenishmentAlert[] = [];
  while (handled.length < expected) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 2, MessageAttributeNames: ["All"] }));
    const alerts = Messages.map((message) => ({ message, alert: JSON.parse(message.Body ?? "{}") as ReplenishmentAlert }));
    const stores = new Set(alerts.map(({ alert }) => alert.store_id));
    const now = new Date().toISOString();
    const events: Array<Record<string, unknown>> = [];
    for (const store of stores) {
      const items = alerts.filter(({ alert }) => alert.store_id === store).map(({ alert }) => alert);
      const trip = `trip-${store}-${Date.now()}`;
      const truck = `workshop-truck-${store}`;
      const envelope = (type: string, payload: Record<string, unknown>, n: number) => ({ event_id: `${trip}-${type}-${n}`, type, occurred_at: now, payload });
      events.push(envelope("truck_dispatched", { dispatch_id: trip, truck_id: truck, depot_id: "D01", store_id: store, items: items.map(({ product_id, quantity }) => ({ product_id, quantity })) }, 0));
      events.push(envelope("truck_arrived", { dispatch_id: trip, truck_id: truck, store_id: store }, 0));
      items.forEach((item, n) => events.push(envelope("replenishment_delivered", { store_id: store, product_id: item.product_id, quantity: item.quantity, truck_id: truck, dispatch_id: trip }, n)));
    }
    if (events.length > 0) {
      const put = await kinesis.send(new PutRecordsCommand({ StreamName: "events", Records: events.map((event) => ({ PartitionKey: String((event["payload"] as { store_id: string }).store_id), Data: encoder.encode(JSON.stringify(event)) })) }));
      if (put.FailedRecordCount !== 0) throw new Error(`${put.FailedRecordCount} truck events were refused: ${put.Records?.find((record) => record.ErrorCode)?.ErrorMessage}`);
    }
    // Only after the deliveries are on the stream: a crash before this sends the truck again, never loses it.
    for (const { message, alert } of alerts) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
      handled.push(alert);
    }
  }
  return handled;
}

// ---- the test: shopstream as the AWS account ----

describe("store-inventory workshop (AWS SDK v3 only)", () => {
  it("reports inventory through Firehose, plans with Lambda, dispatches from SQS and sees the deliveries with Athena", async (t) => {
    const server = await startTestServer(t, {
      yaml: "simulator: { ratePerSec: 0 }\nserver: { port: 0 }\ndispatch: { enabled: false }\n",
      // The workshop's Firehose fills inventory_snapshots, so the pipeline's curated delivery leaves it alone.
      patch: (config) => {
        config.deliveryStreams["curated"]!.tables = LAKE_TABLES.map((table) => table.name).filter((name) => name !== "inventory_snapshots") as never;
      },
    });
    // What a workshop participant configures: an endpoint, a region and credentials; nothing else.
    const aws: AwsClientConfig = { endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "AKIDWORKSHOP", secretAccessKey: "workshop-secret" } };
    const firehose = new FirehoseClient(aws);
    const lambda = new LambdaClient(aws);
    const sqs = new SQSClient(aws);
    const kinesis = new KinesisClient(aws);
    const athena = new AthenaClient(aws);

    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "store-inventory",
        DeliveryStreamType: "DirectPut",
        ExtendedS3DestinationConfiguration: {
          RoleARN: "arn:aws:iam::000000000000:role/firehose",
          BucketARN: "arn:aws:s3:::store-inventory-lake",
          Prefix: "curated/inventory_snapshots/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/",
          ErrorOutputPrefix: "errors/store-inventory/!{firehose:error-output-type}/",
          BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 1 },
          DataFormatConversionConfiguration: {
            Enabled: true,
            SchemaConfiguration: { DatabaseName: "default", TableName: "inventory_snapshots", RoleARN: "arn:aws:iam::000000000000:role/glue" },
            InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: {} } },
            OutputFormatConfiguration: { Serializer: { ParquetSerDe: { Compression: "SNAPPY" } } },
          },
        },
      }),
    );
    await reportInventory(firehose, [
      { store: "S001", product: "P0001", onHand: 2, reorderPoint: 10, targetLevel: 30 },
      { store: "S001", product: "P0002", onHand: 40, reorderPoint: 10, targetLevel: 30 },
      { store: "S002", product: "P0003", onHand: 1, reorderPoint: 5, targetLevel: 12 },
    ]);
    await until(async () => {
      const [[count] = []] = await athenaRows(athena, "SELECT count(*) FROM inventory_snapshots");
      return count === "3" ? true : undefined;
    }, "the snapshots in the lake");

    const report = await planStores(lambda);
    const needs = report.belowReorderPoint.map((need) => `${need.store_id}/${need.product_id}:${need.quantity}`).sort();
    assert.deepEqual(needs, ["S001/P0001:28", "S002/P0003:11"]);
    assert.equal(report.sent, 2);
    // A second run within the deduplication window sends nothing new.
    assert.equal((await planStores(lambda)).sent, 0);

    const dispatched = await dispatchTrucks(sqs, kinesis, 2);
    assert.deepEqual(dispatched.map((alert) => `${alert.store_id}/${alert.product_id}:${alert.quantity}`).sort(), needs);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "replenishment" }));
    assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }))).Messages?.length ?? 0, 0);

    // The deliveries reach the lake, and planning counts them: the shelves are above their reorder points.
    await until(async () => {
      const rows = await athenaRows(athena, "SELECT count(*) FROM events WHERE type = 'replenishment_delivered'");
      return rows[0]?.[0] === "2" ? true : undefined;
    }, "the deliveries in the lake's events table");
    const after = await planStores(lambda, { dedup_window_ms: 0 });
    assert.deepEqual(after.belowReorderPoint, []);
  });
});
