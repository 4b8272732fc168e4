// The S3 lake as the pipeline uses it: the bucket is the source of truth (every write, list and delete goes
// to it), and a local directory mirrors the objects DuckDB reads (the curated zone), because DuckDB reads
// s3:// only through its httpfs extension, which the analytics sandbox does not load. Writes go to the
// bucket first, then into the mirror; `list` of a mirrored prefix first brings the mirror up to date with
// the bucket (downloads new or changed objects, removes deleted ones), so whatever listed an object can
// read it where `locate` says. docs/backends.md describes what is read where.
import { randomBytes } from "node:crypto";
import { mkdir, rm, unlink } from "node:fs/promises";
import { join } from "node:path";
import { NotFoundError } from "../../errors/index.js";
import { ConcurrencyLimit } from "../concurrency-limit.js";
import { LocalObjectStore } from "../local/local-object-store.js";
import type { ObjectInfo, ObjectStore, PutFileOptions } from "../object-store.js";
import type { S3ObjectStore } from "./s3-object-store.js";

export interface MirroredObjectStoreOptions {
  remote: S3ObjectStore;
  /** the local directory that mirrors the remote's objects under `mirroredPrefixes` */
  mirrorDir: string;
  /** key prefixes (ending with "/") whose objects are mirrored, e.g. ["curated/"] */
  mirroredPrefixes: readonly string[];
  /** downloads at once while syncing; default 8 */
  downloadConcurrency?: number;
}

/** Where downloads are written before they are renamed into place: hidden, so listings skip it. */
const DOWNLOADS_DIR = ".mirror-downloads";

export class MirroredObjectStore implements ObjectStore {
  readonly backend = "s3";
  readonly mirror: LocalObjectStore;
  private readonly downloads: ConcurrencyLimit;
  /** when each mirrored key was last written through this store: a sync that listed before must not remove it */
  private readonly writtenAtMs = new Map<string, number>();
  /** syncs run one at a time; one waiting per prefix is shared by every caller that asks meanwhile */
  private syncs: Promise<unknown> = Promise.resolve();
  private readonly queuedSyncs = new Map<string, Promise<ObjectInfo[]>>();

  constructor(private readonly options: MirroredObjectStoreOptions) {
    this.mirror = new LocalObjectStore(options.mirrorDir);
    this.downloads = new ConcurrencyLimit(options.downloadConcurrency ?? 8);
  }

  get remote(): S3ObjectStore {
    return this.options.remote;
  }

  /** The mirror's copy for a mirrored key (there once the key was listed or written through this store); else the s3:// URL. */
  locate(key: string): string {
    return this.isMirrored(key) ? this.mirror.locate(key) : this.remote.locate(key);
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    await this.remote.put(key, data);
    if (this.isMirrored(key)) {
      this.writtenAtMs.set(key, Date.now());
      await this.mirror.put(key, data);
    }
  }

  async putFile(key: string, localPath: string, options: PutFileOptions = {}): Promise<void> {
    await this.remote.putFile(key, localPath);
    if (this.isMirrored(key)) {
      this.writtenAtMs.set(key, Date.now());
      // A consumed staging file is renamed into the mirror: the upload's bytes, with nothing to download.
      await this.mirror.putFile(key, localPath, options);
    } else if (options.removeSource) {
      await unlink(localPath);
    }
  }

  get(key: string): Promise<Uint8Array> {
    return this.remote.get(key);
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    if (this.options.mirroredPrefixes.some((mirrored) => prefix.startsWith(mirrored) || mirrored.startsWith(prefix))) {
      yield* await this.sync(prefix);
    } else {
      yield* this.remote.list(prefix);
    }
  }

  async delete(key: string): Promise<void> {
    await this.remote.delete(key);
    if (this.isMirrored(key)) await this.mirror.delete(key);
  }

  /** Brings the mirror up to date with every mirrored prefix: what a query calls before it lists the mirror. */
  async syncMirror(): Promise<void> {
    for (const prefix of this.options.mirroredPrefixes) await this.sync(prefix);
  }

  /**
   * Makes the mirror under `prefix` match the bucket, and returns the bucket's listing. An object is
   * downloaded when the mirror lacks it or holds another size (lake objects are named after the records
   * they hold, so a same-named object of the same size has the same rows).
   */
  sync(prefix: string): Promise<ObjectInfo[]> {
    const queued = this.queuedSyncs.get(prefix);
    if (queued) return queued;
    const next = this.syncs.catch(() => undefined).then(() => {
      this.queuedSyncs.delete(prefix);
      return this.syncNow(prefix);
    });
    this.queuedSyncs.set(prefix, next);
    this.syncs = next;
    return next;
  }

  private async syncNow(prefix: string): Promise<ObjectInfo[]> {
    const startedMs = Date.now();
    const remote: ObjectInfo[] = [];
    for await (const object of this.remote.list(prefix)) remote.push(object);
    const local = new Map<string, number>();
    for await (const object of this.mirror.list(prefix)) if (this.isMirrored(object.key)) local.set(object.key, object.sizeBytes);

    const downloadsDir = join(this.options.mirrorDir, DOWNLOADS_DIR);
    await rm(downloadsDir, { recursive: true, force: true });
    await mkdir(downloadsDir, { recursive: true });
    const wanted = remote.filter((object) => this.isMirrored(object.key) && local.get(object.key) !== object.sizeBytes);
    await Promise.all(wanted.map((object) => this.downloads.run(() => this.download(object.key, downloadsDir))));

    const present = new Set(remote.map((object) => object.key));
    for (const key of local.keys()) {
      // Written through this store after the listing began: newer than what the listing could show.
      if (present.has(key) || (this.writtenAtMs.get(key) ?? -Infinity) >= startedMs) continue;
      await this.mirror.delete(key);
    }
    for (const [key, writtenMs] of this.writtenAtMs) if (writtenMs < startedMs) this.writtenAtMs.delete(key);
    await rm(downloadsDir, { recursive: true, force: true });
    return remote;
  }

  private async download(key: string, downloadsDir: string): Promise<void> {
    const temporary = join(downloadsDir, randomBytes(8).toString("hex"));
    try {
      await this.remote.download(key, temporary);
      await this.mirror.putFile(key, temporary, { removeSource: true });
    } catch (error) {
      // Deleted since the listing (compaction removed a merged source): nothing to mirror.
      if (!(error instanceof NotFoundError)) throw error;
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
  }

  private isMirrored(key: string): boolean {
    return this.options.mirroredPrefixes.some((prefix) => key.startsWith(prefix));
  }
}
