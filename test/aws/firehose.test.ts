// The Firehose API with the official AWS SDK v3 client: the pipeline's delivery streams seen as Firehose
// delivery streams, CreateDeliveryStream mapped onto the lake (buffering, prefixes, dynamic partitioning,
// compression, Parquet conversion), PutRecord(Batch) with per-record failures, AWS's error codes, and
// delivery streams that survive a restart. Objects are checked in the lake directory and with DuckDB.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import {
  CreateDeliveryStreamCommand,
  DeleteDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  ListDeliveryStreamsCommand,
  PutRecordBatchCommand,
  PutRecordCommand,
  type CreateDeliveryStreamCommandInput,
} from "@aws-sdk/client-firehose";
import { ListStreamsCommand } from "@aws-sdk/client-kinesis";
import { openAnalytics, toRowObjects } from "../../src/analytics/index.js";
import { LAKE_TABLES } from "../../src/lake/index.js";
import { startTestServer, waitFor } from "../../src/test-support/server.js";
import { makeTempDir, removeDir } from "../../src/test-support/temp-dir.js";
import { awsErrorOf, firehoseClient, kinesisClient } from "./aws-test-clients.js";

const bytes = (text: string) => new TextEncoder().encode(text);
const YAML = "simulator: { ratePerSec: 0 }\nserver: { port: 0 }\nstreamBackend: { maxRecordBytes: 1024 }\n";

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[]).map((file) => join(dir, file)).filter((file) => /\.(gz|zst|parquet|ndjson)$/.test(file));
}

const clicks: CreateDeliveryStreamCommandInput = {
  DeliveryStreamName: "clicks",
  DeliveryStreamType: "DirectPut",
  ExtendedS3DestinationConfiguration: {
    RoleARN: "arn:aws:iam::000000000000:role/firehose",
    BucketARN: "arn:aws:s3:::my-lake",
    Prefix: "clicks/page=!{partitionKeyFromQuery:page}/",
    ErrorOutputPrefix: "clicks-errors/!{firehose:error-output-type}/",
    BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 1 },
    CompressionFormat: "GZIP",
    DynamicPartitioningConfiguration: { Enabled: true },
    ProcessingConfiguration: {
      Enabled: true,
      Processors: [
        {
          Type: "MetadataExtraction",
          Parameters: [
            { ParameterName: "MetadataExtractionQuery", ParameterValue: "{page: .page}" },
            { ParameterName: "JsonParsingEngine", ParameterValue: "JQ-1.6" },
          ],
        },
      ],
    },
  },
};

describe("Firehose API (AWS SDK v3)", () => {
  it("describes the config's delivery streams, creates, writes to, persists and deletes others", async (t) => {
    const dataDir = makeTempDir();
    t.after(() => removeDir(dataDir));
    const server = await startTestServer(t, { yaml: YAML, dataDir });
    const firehose = firehoseClient(server.url);

    const listed = await firehose.send(new ListDeliveryStreamsCommand({}));
    assert.deepEqual(listed.DeliveryStreamNames?.filter((name) => ["curated", "raw"].includes(name)), ["curated", "raw"]);
    const curated = (await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "curated" }))).DeliveryStreamDescription;
    assert.equal(curated?.DeliveryStreamARN, "arn:aws:firehose:us-east-1:000000000000:deliverystream/curated");
    assert.equal(curated?.DeliveryStreamType, "KinesisStreamAsSource");
    assert.equal(curated?.Source?.KinesisStreamSourceDescription?.KinesisStreamARN, "arn:aws:kinesis:us-east-1:000000000000:stream/curated");
    assert.equal(curated?.Destinations?.[0]?.ExtendedS3DestinationDescription?.DataFormatConversionConfiguration?.Enabled, true);
    const raw = (await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "raw" }))).DeliveryStreamDescription;
    assert.equal(raw?.Destinations?.[0]?.ExtendedS3DestinationDescription?.CompressionFormat, "ZSTD");
    assert.equal(raw?.Destinations?.[0]?.ExtendedS3DestinationDescription?.BufferingHints?.IntervalInSeconds, 60);

    const created = await firehose.send(new CreateDeliveryStreamCommand(clicks));
    assert.equal(created.DeliveryStreamARN, "arn:aws:firehose:us-east-1:000000000000:deliverystream/clicks");
    assert.equal((await awsErrorOf(firehose.send(new CreateDeliveryStreamCommand(clicks)))).name, "ResourceInUseException");
    const described = (await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "clicks" }))).DeliveryStreamDescription;
    assert.equal(described?.DeliveryStreamType, "DirectPut");
    assert.equal(described?.DeliveryStreamStatus, "ACTIVE");
    const s3 = described?.Destinations?.[0]?.ExtendedS3DestinationDescription;
    assert.equal(s3?.Prefix, "clicks/page=!{partitionKeyFromQuery:page}/");
    assert.equal(s3?.BucketARN, "arn:aws:s3:::my-lake");
    assert.deepEqual(s3?.BufferingHints, { SizeInMBs: 1, IntervalInSeconds: 1 });
    assert.equal(s3?.CompressionFormat, "GZIP");
    assert.equal(s3?.DynamicPartitioningConfiguration?.Enabled, true);
    assert.equal(s3?.ProcessingConfiguration?.Processors?.[0]?.Parameters?.[0]?.ParameterValue, "{page: .page}");
    // The pipeline runs it: the dashboard's quality API lists it.
    const quality = (await (await fetch(`${server.url}/v1/quality`)).json()) as { deliveryStreams: Array<{ name: string }> };
    assert.ok(quality.deliveryStreams.some((stream) => stream.name === "clicks"));

    const one = await firehose.send(new PutRecordCommand({ DeliveryStreamName: "clicks", Record: { Data: bytes('{"page":"home","n":1}\n') } }));
    assert.ok(one.RecordId);
    assert.equal(one.Encrypted, false);
    const batch = await firehose.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: "clicks",
        Records: [{ Data: bytes('{"page":"home","n":2}\n') }, { Data: bytes('{"page":"cart","n":3}') }, { Data: bytes(`{"page":"home","pad":"${"x".repeat(2000)}"}`) }],
      }),
    );
    assert.equal(batch.FailedPutCount, 1);
    assert.ok(batch.RequestResponses?.[0]?.RecordId);
    assert.equal(batch.RequestResponses?.[2]?.ErrorCode, "InvalidArgumentException");
    assert.ok(batch.RequestResponses?.[2]?.ErrorMessage);

    const lake = join(dataDir, "lake");
    await waitFor(() => filesUnder(join(lake, "clicks", "page=home")).length > 0 && filesUnder(join(lake, "clicks", "page=cart")).length > 0, 20_000, "clicks objects");
    const homeLines = filesUnder(join(lake, "clicks", "page=home")).flatMap((file) => gunzipSync(readFileSync(file)).toString("utf8").trim().split("\n"));
    assert.deepEqual(homeLines.sort(), ['{"page":"home","n":1}', '{"page":"home","n":2}']);

    // AWS's error codes.
    const declared = await awsErrorOf(firehose.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: "curated" })));
    assert.equal(declared.name, "ResourceInUseException");
    assert.match(declared.message, /pipeline config/);
    assert.equal((await awsErrorOf(firehose.send(new PutRecordCommand({ DeliveryStreamName: "curated", Record: { Data: bytes("{}") } })))).name, "InvalidArgumentException");
    const missing = await awsErrorOf(firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "nope" })));
    assert.deepEqual([missing.name, missing.status], ["ResourceNotFoundException", 400]);
    assert.equal((await awsErrorOf(firehose.send(new PutRecordCommand({ DeliveryStreamName: "nope", Record: { Data: bytes("{}") } })))).name, "ResourceNotFoundException");
    const s3Only = (extra: Record<string, unknown>) => ({ RoleARN: "arn:aws:iam::000000000000:role/r", BucketARN: "arn:aws:s3:::b", ...extra });
    const clash = await awsErrorOf(firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "clash", ExtendedS3DestinationConfiguration: s3Only({ Prefix: "raw/mine/" }) })));
    assert.equal(clash.name, "InvalidArgumentException");
    assert.ok(!(await kinesisClient(server.url).send(new ListStreamsCommand({}))).StreamNames?.includes("firehose-clash"), "a refused DirectPut leaves no stream behind");
    assert.equal(
      (await awsErrorOf(firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "snappy", ExtendedS3DestinationConfiguration: s3Only({ Prefix: "snappy/", CompressionFormat: "Snappy" }) })))).name,
      "InvalidArgumentException",
    );
    assert.equal(
      (
        await awsErrorOf(
          firehose.send(
            new CreateDeliveryStreamCommand({
              DeliveryStreamName: "from-nowhere",
              DeliveryStreamType: "KinesisStreamAsSource",
              KinesisStreamSourceConfiguration: { KinesisStreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/nowhere", RoleARN: "arn:aws:iam::000000000000:role/r" },
              ExtendedS3DestinationConfiguration: s3Only({ Prefix: "nowhere/" }),
            }),
          ),
        )
      ).name,
      "InvalidArgumentException",
    );
    assert.equal((await awsErrorOf(firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "no-destination" })))).name, "InvalidArgumentException");
    assert.equal((await awsErrorOf(firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: "clicks", Records: [] })))).name, "ValidationException");

    // A delivery stream reading an existing stream.
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "mirror",
        DeliveryStreamType: "KinesisStreamAsSource",
        KinesisStreamSourceConfiguration: { KinesisStreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/events", RoleARN: "arn:aws:iam::000000000000:role/r" },
        ExtendedS3DestinationConfiguration: s3Only({ Prefix: "mirror/" }),
      }),
    );
    const sourced = await firehose.send(new ListDeliveryStreamsCommand({ DeliveryStreamType: "KinesisStreamAsSource" }));
    assert.ok(sourced.DeliveryStreamNames?.includes("mirror") && !sourced.DeliveryStreamNames.includes("clicks"));
    const paged = await firehose.send(new ListDeliveryStreamsCommand({ Limit: 1 }));
    assert.equal(paged.HasMoreDeliveryStreams, true);

    // Across a restart: the same delivery streams, still delivering.
    await server.stop();
    const again = await startTestServer(t, { yaml: YAML, dataDir });
    const firehoseAgain = firehoseClient(again.url);
    const names = (await firehoseAgain.send(new ListDeliveryStreamsCommand({ Limit: 100 }))).DeliveryStreamNames ?? [];
    assert.ok(names.includes("clicks") && names.includes("mirror"), names.join(","));
    assert.ok(again.pipeline.lakes.some((lake) => lake.name === "clicks"));
    await firehoseAgain.send(new PutRecordCommand({ DeliveryStreamName: "clicks", Record: { Data: bytes('{"page":"checkout"}') } }));
    await waitFor(() => filesUnder(join(lake, "clicks", "page=checkout")).length > 0, 20_000, "an object written after the restart");

    await firehoseAgain.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: "clicks" }));
    assert.equal((await awsErrorOf(firehoseAgain.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "clicks" })))).name, "ResourceNotFoundException");
    assert.ok(!(await again.pipeline.stream.listStreams()).includes("firehose-clicks"));
    assert.ok(!again.pipeline.lakes.some((lake) => lake.name === "clicks"));
    assert.ok(filesUnder(join(lake, "clicks")).length >= 3, "delivered objects stay in the lake");
  });

  it("converts records to Parquet in a lake table that SQL reads, and sends failures to the error prefix", async (t) => {
    const server = await startTestServer(t, {
      yaml: YAML,
      patch: (config) => {
        config.deliveryStreams["curated"]!.tables = LAKE_TABLES.map((table) => table.name).filter((name) => name !== "inventory_snapshots") as never;
      },
    });
    const firehose = firehoseClient(server.url);
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: "store-inventory",
        ExtendedS3DestinationConfiguration: {
          RoleARN: "arn:aws:iam::000000000000:role/firehose",
          BucketARN: "arn:aws:s3:::lake",
          Prefix: "curated/inventory_snapshots/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/",
          ErrorOutputPrefix: "errors/store-inventory/!{firehose:error-output-type}/",
          BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 1 },
          DataFormatConversionConfiguration: {
            Enabled: true,
            SchemaConfiguration: { DatabaseName: "shopstream", TableName: "inventory_snapshots", RoleARN: "arn:aws:iam::000000000000:role/glue" },
            InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: {} } },
            OutputFormatConfiguration: { Serializer: { ParquetSerDe: { Compression: "SNAPPY" } } },
          },
        },
      }),
    );
    const now = new Date().toISOString();
    const snapshot = (id: string, onHand: unknown) =>
      bytes(
        JSON.stringify({
          event_id: `snap-${id}`,
          type: "inventory_snapshot",
          occurred_at: now,
          ingested_at: now,
          store_id: "S001",
          product_id: "P0001",
          payload: { store_id: "S001", product_id: `P000${id}`, on_hand: onHand },
        }),
      );
    const batch = await firehose.send(
      new PutRecordBatchCommand({ DeliveryStreamName: "store-inventory", Records: [{ Data: snapshot("1", 5) }, { Data: snapshot("2", 7) }, { Data: snapshot("3", 11) }, { Data: snapshot("4", "many") }] }),
    );
    assert.equal(batch.FailedPutCount, 0);
    const lake = join(server.dataDir, "lake");
    await waitFor(
      () => filesUnder(join(lake, "curated", "inventory_snapshots")).length > 0 && filesUnder(join(lake, "errors", "store-inventory")).length > 0,
      30_000,
      "Parquet objects and the error output",
    );
    const engine = await openAnalytics({ lakeDir: lake });
    try {
      const [row] = toRowObjects(await engine.query("SELECT count(*) AS n, sum(on_hand) AS units FROM inventory_snapshots"));
      assert.deepEqual([Number(row!["n"]), Number(row!["units"])], [3, 23]);
    } finally {
      await engine.close();
    }
  });
});
