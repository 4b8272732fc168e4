// The S3 store against a real S3-compatible server (s3rver): multipart uploads above the threshold, an
// aborted upload on failure, listings longer than one page, and a missing bucket told apart from a
// missing object. The ObjectStore contract itself is object-store.contract.test.ts.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { S3Client } from "@aws-sdk/client-s3";
import { NotFoundError } from "../../errors/index.js";
import { s3Server } from "../../test-support/backends.js";
import { startS3Server, type S3TestServer } from "../../test-support/s3-server.js";
import { tempDir } from "../../test-support/temp-dir.js";
import { createS3Client } from "./s3-client.js";
import { S3ObjectStore } from "./s3-object-store.js";
import { uploadMultipart } from "./multipart-upload.js";
import type { S3StoreConfig } from "../store-config.js";

const MIB = 1024 * 1024;

/** The S3 operations a client sent, by command name, in order. */
function recordCommands(client: S3Client): string[] {
  const sent: string[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(String(context.commandName));
      return next(args);
    },
    { step: "initialize", name: "recordCommands" },
  );
  return sent;
}

describe("S3ObjectStore on an S3-compatible server", { skip: (await s3Server()).skip }, () => {
  let server: S3TestServer;
  before(async () => {
    server = await startS3Server();
  });
  after(() => server?.stop());

  async function openStore(overrides: Partial<S3StoreConfig> = {}): Promise<{ store: S3ObjectStore; sent: string[] }> {
    const config = server.config(await server.createBucket(), { prefix: "lake/", ...overrides });
    const client = createS3Client(config);
    const sent = recordCommands(client);
    return { store: new S3ObjectStore({ ...config, client }), sent };
  }

  it("uploads an object above the threshold in parts, and one below it with one PUT", async (t) => {
    const { store, sent } = await openStore({ multipartThresholdBytes: 5 * MIB, multipartPartSizeBytes: 5 * MIB, multipartConcurrency: 2 });
    const big = randomBytes(12 * MIB + 123);
    await store.put("curated/big/a.parquet", big);
    assert.deepEqual(sent.splice(0), ["CreateMultipartUploadCommand", "UploadPartCommand", "UploadPartCommand", "UploadPartCommand", "CompleteMultipartUploadCommand"]);
    assert.ok(Buffer.from(await store.get("curated/big/a.parquet")).equals(big), "the parts joined in order");

    const path = join(tempDir(t), "staged.parquet");
    writeFileSync(path, big);
    await store.putFile("curated/big/b.parquet", path, { removeSource: true });
    assert.equal(sent.filter((name) => name === "UploadPartCommand").length, 3);
    assert.ok(Buffer.from(await store.get("curated/big/b.parquet")).equals(big), "a file uploaded in parts reads back whole");
    sent.length = 0;

    await store.put("curated/small/c.parquet", randomBytes(5 * MIB));
    assert.deepEqual(sent, ["PutObjectCommand"], "at the threshold: one PUT");
  });

  it("aborts a multipart upload that fails, leaving no object", async () => {
    const { store, sent } = await openStore();
    await assert.rejects(
      uploadMultipart({
        client: store.client,
        bucket: store.bucket,
        key: "lake/curated/broken.parquet",
        sizeBytes: 15 * MIB,
        partSizeBytes: 5 * MIB,
        concurrency: 1,
        readPart: async (offset, length) => {
          if (offset > 0) throw new Error("the disk went away");
          return Buffer.alloc(length, 1);
        },
      }),
      /the disk went away/,
    );
    assert.deepEqual(sent, ["CreateMultipartUploadCommand", "UploadPartCommand", "AbortMultipartUploadCommand"]);
    await assert.rejects(store.get("curated/broken.parquet"), NotFoundError, "nothing became visible");
  });

  it("lists every object of a prefix over several pages", async () => {
    const { store, sent } = await openStore();
    const keys = Array.from({ length: 1050 }, (_, i) => `curated/t/p=${i % 3}/${String(i).padStart(5, "0")}.parquet`);
    for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((key) => store.put(key, Buffer.from(key))));
    sent.length = 0;
    const listed: string[] = [];
    for await (const object of store.list("curated/t/")) listed.push(object.key);
    assert.equal(sent.filter((name) => name === "ListObjectsV2Command").length, 2, "S3 answers at most 1000 keys a page");
    assert.deepEqual(listed.sort(), [...keys].sort());
  });

  it("keeps its key prefix to itself, and tells a missing bucket from a missing object", async () => {
    const { store } = await openStore({ prefix: "tenant-a/" });
    const other = new S3ObjectStore({ ...server.config(store.bucket, { prefix: "tenant-b/" }), client: store.client });
    await store.put("curated/x.parquet", Buffer.from("a"));
    await other.put("curated/x.parquet", Buffer.from("b"));
    const listed: string[] = [];
    for await (const object of store.list("")) listed.push(object.key);
    assert.deepEqual(listed, ["curated/x.parquet"]);
    assert.equal(Buffer.from(await other.get("curated/x.parquet")).toString(), "b");

    const missingBucket = new S3ObjectStore({ ...server.config("no-such-bucket"), client: store.client });
    await assert.rejects(missingBucket.get("curated/x.parquet"), (error: Error) => !(error instanceof NotFoundError) && error.name === "NoSuchBucket");
  });
});
