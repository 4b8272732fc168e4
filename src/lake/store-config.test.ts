// The lake's store config: local by default; an s3 section from YAML with credentials from the environment;
// and the rules across fields that the schema cannot state.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parsePipelineConfig } from "../config/index.js";
import { ConfigError } from "../errors/index.js";
import { tempDir } from "../test-support/temp-dir.js";
import { LocalObjectStore, MirroredObjectStore, openLakeStore } from "./index.js";

describe("lake store config", () => {
  it("keeps the lake in the local directory by default, with nothing to sync", (t) => {
    const config = parsePipelineConfig("{}");
    assert.equal(config.lake.store, "local");
    const lake = openLakeStore(config.lake, join(tempDir(t), "lake"));
    assert.ok(lake.store instanceof LocalObjectStore);
    assert.equal(lake.syncForQueries, undefined);
  });

  it("reads an s3 section with defaults and credentials from the environment", (t) => {
    const yaml = [
      "lake:",
      "  store: s3",
      "  s3:",
      "    bucket: shop-lake",
      "    prefix: prod/lake/",
      "    endpoint: http://127.0.0.1:9000",
      "    forcePathStyle: true",
      "    accessKeyId: ${env:LAKE_KEY}",
      "    secretAccessKey: ${env:LAKE_SECRET}",
      "",
    ].join("\n");
    const config = parsePipelineConfig(yaml, "p.yaml", { LAKE_KEY: "id", LAKE_SECRET: "secret" });
    assert.deepEqual(config.lake.s3, {
      bucket: "shop-lake",
      prefix: "prod/lake/",
      endpoint: "http://127.0.0.1:9000",
      region: "us-east-1",
      forcePathStyle: true,
      accessKeyId: "id",
      secretAccessKey: "secret",
      multipartThresholdBytes: 16 * 1024 * 1024,
      multipartPartSizeBytes: 16 * 1024 * 1024,
      multipartConcurrency: 4,
    });
    const lake = openLakeStore(config.lake, join(tempDir(t), "lake"));
    assert.ok(lake.store instanceof MirroredObjectStore);
    assert.equal(lake.store.locate("raw/x.ndjson.zst"), "s3://shop-lake/prod/lake/raw/x.ndjson.zst");
  });

  it("refuses what S3 would refuse, and an s3 store without its section or with half the credentials", () => {
    assert.throws(() => parsePipelineConfig("lake:\n  store: s3\n  s3:\n    bucket: bk1\n    multipartPartSizeBytes: 1000\n"), /lake\.s3\.multipartPartSizeBytes: expected an integer from 5242880/);
    assert.throws(() => parsePipelineConfig("lake:\n  s3:\n    bucket: Shop_Lake\n"), /lake\.s3\.bucket/);
    assert.throws(() => openLakeStore(parsePipelineConfig("lake:\n  store: s3\n").lake, "/tmp/unused"), ConfigError);
    assert.throws(() => openLakeStore(parsePipelineConfig("lake:\n  store: s3\n  s3:\n    bucket: bk1\n    accessKeyId: id\n").lake, "/tmp/unused"), /both accessKeyId and secretAccessKey/);
  });
});
