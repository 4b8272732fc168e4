// Opens the lake's object store from the config: the local directory (the default, read by DuckDB in
// place), or an S3-compatible bucket mirrored into that directory for DuckDB (s3/mirrored-object-store.ts).
import { ConfigError } from "../errors/index.js";
import { LocalObjectStore } from "./local/local-object-store.js";
import { LAKE_DATA_PREFIX } from "./object-names.js";
import type { ObjectStore } from "./object-store.js";
import { MirroredObjectStore } from "./s3/mirrored-object-store.js";
import { createS3Client } from "./s3/s3-client.js";
import { S3ObjectStore } from "./s3/s3-object-store.js";
import type { LakeConfig } from "./store-config.js";

export interface LakeStore {
  store: ObjectStore;
  /**
   * Brings what SQL reads under the lake directory up to date with the store, before a query lists it;
   * absent when the directory is the store itself.
   */
  syncForQueries?: () => Promise<void>;
}

/** `lakeDir` is the local lake (store: local) or the mirror of the bucket's curated zone (store: s3). */
export function openLakeStore(config: LakeConfig, lakeDir: string): LakeStore {
  if (config.store === "local") return { store: new LocalObjectStore(lakeDir) };
  if (!config.s3) throw new ConfigError("lake.store is s3, but there is no lake.s3 section (bucket, region, …)");
  const remote = new S3ObjectStore({ ...config.s3, client: createS3Client(config.s3) });
  const store = new MirroredObjectStore({ remote, mirrorDir: lakeDir, mirroredPrefixes: [`${LAKE_DATA_PREFIX}/`] });
  return { store, syncForQueries: () => store.syncMirror() };
}
