// The embedded object store: one directory, one file per object, keys as relative paths. Writes go to a
// hidden temporary name beside the target and are renamed into place, so readers (DuckDB globbing the
// lake) only ever see whole objects.
import { randomBytes } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import { copyFile, mkdir, open, readdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { NotFoundError } from "../../errors/index.js";
import { assertObjectKey } from "../object-key.js";
import type { ObjectInfo, ObjectStore, PutFileOptions } from "../object-store.js";

export interface LocalObjectStoreOptions {
  /**
   * fsync each object and its directory before a put resolves, so a published object survives power
   * loss, not only a process crash. Costs a disk flush per object; off by default, like the stream's
   * synchronous=NORMAL.
   */
  fsync?: boolean;
}

const TEMPORARY_SUFFIX = ".tmp";

export class LocalObjectStore implements ObjectStore {
  readonly backend = "local";
  private readonly fsync: boolean;

  constructor(
    readonly rootDir: string,
    options: LocalObjectStoreOptions = {},
  ) {
    this.fsync = options.fsync ?? false;
  }

  /** Where an object lives on disk: DuckDB reads the lake through these paths. */
  locate(key: string): string {
    assertObjectKey(key);
    return join(this.rootDir, ...key.split("/"));
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const target = this.locate(key);
    await this.publish(target, async (temporary) => {
      await writeFile(temporary, data);
    });
  }

  async putFile(key: string, localPath: string, options: PutFileOptions = {}): Promise<void> {
    const target = this.locate(key);
    if (options.removeSource) {
      await mkdir(dirname(target), { recursive: true });
      try {
        // rename(2) within one filesystem is atomic and copies nothing: the fast path for staged Parquet.
        if (this.fsync) await syncFile(localPath);
        await rename(localPath, target);
        if (this.fsync) await syncFile(dirname(target));
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
      }
    }
    await this.publish(target, (temporary) => copyFile(localPath, temporary, fsConstants.COPYFILE_FICLONE));
    if (options.removeSource) await unlink(localPath);
  }

  /** Writes through a hidden temporary sibling, then renames it over the target. */
  private async publish(target: string, write: (temporary: string) => Promise<void>): Promise<void> {
    const directory = dirname(target);
    await mkdir(directory, { recursive: true });
    const temporary = join(directory, `.${target.slice(directory.length + 1)}.${randomBytes(6).toString("hex")}${TEMPORARY_SUFFIX}`);
    try {
      await write(temporary);
      if (this.fsync) await syncFile(temporary);
      await rename(temporary, target);
      if (this.fsync) await syncFile(directory);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      return await readFile(this.locate(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new NotFoundError(`no object ${JSON.stringify(key)}`, "object_not_found");
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    // Start the walk at the deepest directory the prefix names; the rest is a name filter.
    const slash = prefix.lastIndexOf("/");
    const baseKey = slash < 0 ? "" : prefix.slice(0, slash);
    if (baseKey !== "") assertObjectKey(baseKey);
    const baseDir = baseKey === "" ? this.rootDir : join(this.rootDir, ...baseKey.split("/"));
    yield* this.walk(baseDir, baseKey, prefix);
  }

  private async *walk(directory: string, directoryKey: string, prefix: string): AsyncIterable<ObjectInfo> {
    let entries;
    try {
      entries = await readdir(directory, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return;
      throw error;
    }
    // S3 lists in key order; "a/x" sorts after "a-b", so a directory sorts as its name plus "/".
    const sorted = entries
      .filter((entry) => !entry.name.startsWith("."))
      .map((entry) => ({ entry, sortKey: entry.isDirectory() ? `${entry.name}/` : entry.name }))
      .sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
    for (const { entry } of sorted) {
      const key = directoryKey === "" ? entry.name : `${directoryKey}/${entry.name}`;
      if (entry.isDirectory()) {
        // Descend only where keys can still match the prefix.
        if (prefix.startsWith(`${key}/`) || `${key}/`.startsWith(prefix)) {
          yield* this.walk(join(directory, entry.name), key, prefix);
        }
      } else if (entry.isFile() && key.startsWith(prefix)) {
        const info = await stat(join(directory, entry.name)).catch(() => undefined);
        if (info) yield { key, sizeBytes: info.size, lastModifiedMs: info.mtimeMs };
      }
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.locate(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
