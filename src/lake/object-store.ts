// The ObjectStore interface: the S3 subset the lake needs (put, get, list by prefix, delete) with atomic
// publishing. Every backend (a local directory now, any S3-compatible store later, with multipart uploads
// behind putFile) implements it and passes the same contract suite (object-store.contract.test.ts).

export interface ObjectInfo {
  /** "curated/orders/dt=2026-01-05/hour=08/…parquet": slash-separated, no leading slash */
  key: string;
  sizeBytes: number;
  lastModifiedMs: number;
}

export interface PutFileOptions {
  /**
   * Consume the local file: a backend may move it instead of copying it (a rename on the same
   * filesystem), and it is gone once the put resolves.
   */
  removeSource?: boolean;
}

/**
 * Keys are S3-style: segments separated by "/", none empty, "." or "..".
 * Every put is atomic, as an S3 PUT is: a reader sees the whole new object or the previous state, never
 * a partial write. A local backend gets this by writing a temporary name and renaming it.
 */
export interface ObjectStore {
  readonly backend: string;
  put(key: string, data: Uint8Array): Promise<void>;
  putFile(key: string, localPath: string, options?: PutFileOptions): Promise<void>;
  /** The object's bytes; NotFoundError when there is none. */
  get(key: string): Promise<Uint8Array>;
  /** Objects whose key starts with `prefix` (a plain string prefix, as S3's), in key order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /** Removes an object; removing a missing one is not an error (as S3's DeleteObject). */
  delete(key: string): Promise<void>;
  /**
   * Where DuckDB reads the object from: a local path, or a URL its httpfs extension reads (`s3://…`), so
   * that compaction and queries read objects in place instead of copying them out.
   */
  locate(key: string): string;
}
