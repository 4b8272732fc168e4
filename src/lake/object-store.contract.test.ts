// The ObjectStore contract: every backend passes the same suite. A new backend is one entry in `backends`.
// The S3 backends run against a real S3-compatible server (s3rver, spawned once for this file).
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it, type TestContext } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { NotFoundError, ValidationError } from "../errors/index.js";
import { s3Server } from "../test-support/backends.js";
import { startS3Server, type S3TestServer } from "../test-support/s3-server.js";
import { tempDir } from "../test-support/temp-dir.js";
import { createS3Client, LocalObjectStore, MirroredObjectStore, quoteSqlString, S3ObjectStore, type ObjectStore } from "./index.js";

interface Backend {
  name: string;
  skip: string | undefined;
  open(t: TestContext): Promise<ObjectStore>;
  /** locate() answers a local path DuckDB reads here; otherwise an s3:// URL (DuckDB's httpfs, not loaded here) */
  readsInPlace: boolean;
  /**
   * Lists in S3's key order (UTF-8 bytes). An S3 store passes on the server's order; s3rver walks its
   * directories, so it lists "a/b" before "a-b" where S3 lists "a-b" first. There the suite checks which
   * keys are listed, not their order.
   */
  listsInKeyOrder: boolean;
}

const s3Skip = (await s3Server()).skip;
let s3: Promise<S3TestServer> | undefined;
/** One s3rver for the file, started by the first S3 test; each test gets a bucket of its own. */
function s3TestServer(): Promise<S3TestServer> {
  s3 ??= startS3Server();
  return s3;
}
after(async () => {
  if (s3) await (await s3).stop();
});

async function openS3Store(prefix: string): Promise<S3ObjectStore> {
  const server = await s3TestServer();
  const config = server.config(await server.createBucket(), { prefix });
  return new S3ObjectStore({ ...config, client: createS3Client(config) });
}

const backends: Backend[] = [
  { name: "local", skip: undefined, readsInPlace: true, listsInKeyOrder: true, open: async (t) => new LocalObjectStore(join(tempDir(t, "shopstream-objects-"), "root")) },
  { name: "s3", skip: s3Skip, readsInPlace: false, listsInKeyOrder: false, open: () => openS3Store("lake/") },
  {
    name: "s3 with a local mirror",
    skip: s3Skip,
    readsInPlace: true,
    listsInKeyOrder: false,
    open: async (t) => new MirroredObjectStore({ remote: await openS3Store(""), mirrorDir: join(tempDir(t, "shopstream-mirror-"), "lake"), mirroredPrefixes: ["curated/"] }),
  },
];

async function listKeys(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of store.list(prefix)) keys.push(object.key);
  return keys;
}

/** The keys in the order the backend promises: S3's key order, or (see listsInKeyOrder) sorted here. */
async function listKeysInOrder(backend: Backend, store: ObjectStore, prefix: string): Promise<string[]> {
  const keys = await listKeys(store, prefix);
  return backend.listsInKeyOrder ? keys : keys.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

for (const backend of backends) {
  describe(`ObjectStore contract: ${backend.name}`, { skip: backend.skip }, () => {
    it("returns what was put, and the newest version after an overwrite", async (t) => {
      const store = await backend.open(t);
      await store.put("curated/orders/a.parquet", Buffer.from("first"));
      assert.equal(Buffer.from(await store.get("curated/orders/a.parquet")).toString(), "first");
      await store.put("curated/orders/a.parquet", Buffer.from("second"));
      assert.equal(Buffer.from(await store.get("curated/orders/a.parquet")).toString(), "second");
    });

    it("answers NotFoundError for a missing object, and deleting one twice is fine", async (t) => {
      const store = await backend.open(t);
      await assert.rejects(store.get("nope/x"), NotFoundError);
      await store.put("a/b", Buffer.from("x"));
      await store.delete("a/b");
      await store.delete("a/b");
      await assert.rejects(store.get("a/b"), NotFoundError);
    });

    it("lists by plain string prefix, in key order, with sizes", async (t) => {
      const store = await backend.open(t);
      for (const key of ["b/x", "a/c/1", "a-b", "a/b/2", "a/b/10", "ab"]) await store.put(key, Buffer.from(key));
      assert.deepEqual(await listKeysInOrder(backend, store, ""), ["a-b", "a/b/10", "a/b/2", "a/c/1", "ab", "b/x"]);
      assert.deepEqual(await listKeysInOrder(backend, store, "a/"), ["a/b/10", "a/b/2", "a/c/1"]);
      assert.deepEqual(await listKeysInOrder(backend, store, "a/b/1"), ["a/b/10"]);
      assert.deepEqual(await listKeysInOrder(backend, store, "a"), ["a-b", "a/b/10", "a/b/2", "a/c/1", "ab"]);
      assert.deepEqual(await listKeysInOrder(backend, store, "missing/"), []);
      let info;
      for await (const object of store.list("a/b/10")) info = object;
      assert.equal(info?.sizeBytes, 6);
      assert.ok((info?.lastModifiedMs ?? 0) > 0);
    });

    it("puts a local file by copy, or by move when asked to consume it", async (t) => {
      const store = await backend.open(t);
      const dir = tempDir(t);
      const source = join(dir, "staged.parquet");
      writeFileSync(source, "PAR1");
      await store.putFile("curated/x/copied.parquet", source);
      assert.ok(existsSync(source), "a plain putFile keeps the source");
      await store.putFile("curated/x/moved.parquet", source, { removeSource: true });
      assert.ok(!existsSync(source), "removeSource consumes the source");
      assert.deepEqual(await listKeys(store, "curated/x/"), ["curated/x/copied.parquet", "curated/x/moved.parquet"]);
      assert.equal(Buffer.from(await store.get("curated/x/moved.parquet")).toString(), "PAR1");
    });

    it("locates an object where DuckDB reads it", async (t) => {
      const store = await backend.open(t);
      await store.put("curated/x/data.json", Buffer.from('{"n": 42}'));
      if (!backend.readsInPlace) {
        // DuckDB reads this URL with its httpfs extension, which cannot be installed here.
        assert.match(store.locate("curated/x/data.json"), /^s3:\/\/[a-z0-9.-]+\/lake\/curated\/x\/data\.json$/);
        return;
      }
      const instance = await DuckDBInstance.create(":memory:");
      const connection = await instance.connect();
      try {
        const reader = await connection.runAndReadAll(`SELECT n FROM read_json(${quoteSqlString(store.locate("curated/x/data.json"))})`);
        assert.deepEqual(reader.getRowsJson(), [["42"]]);
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    });

    it("refuses keys that are not relative, slash-separated paths", async (t) => {
      const store = await backend.open(t);
      for (const key of ["", "/abs", "a//b", "a/../b", "./a", "a/.hidden", "a\\b"]) {
        await assert.rejects(store.put(key, Buffer.from("x")), ValidationError, key);
      }
    });
  });
}

describe("LocalObjectStore", () => {
  it("publishes through a temporary name, leaving no temporary file behind", async (t) => {
    const root = join(tempDir(t), "root");
    const store = new LocalObjectStore(root, { fsync: true });
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.put(`p/${i % 2}.parquet`, Buffer.alloc(100_000, i))));
    assert.deepEqual(await readdir(join(root, "p")), ["0.parquet", "1.parquet"]);
  });
});
