// The lake on an S3-compatible bucket. Every write is atomic as S3 makes it: a PUT replaces the whole object
// at once, and a multipart upload (objects above multipartThresholdBytes) becomes visible only when it
// completes, all at once; a failed one is aborted. Keys live under the configured prefix, so one bucket
// can hold several lakes.
import { createWriteStream } from "node:fs";
import { open, stat, unlink } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type GetObjectCommandOutput, type S3Client } from "@aws-sdk/client-s3";
import { NotFoundError } from "../../errors/index.js";
import { assertObjectKey } from "../object-key.js";
import type { ObjectInfo, ObjectStore, PutFileOptions } from "../object-store.js";
import type { S3StoreConfig } from "../store-config.js";
import { uploadMultipart } from "./multipart-upload.js";

export type S3ObjectStoreOptions = Pick<S3StoreConfig, "bucket" | "prefix" | "multipartThresholdBytes" | "multipartPartSizeBytes" | "multipartConcurrency"> & {
  client: S3Client;
};

export class S3ObjectStore implements ObjectStore {
  readonly backend = "s3";
  readonly client: S3Client;
  readonly bucket: string;
  /** "" or ending with "/" */
  readonly prefix: string;

  constructor(private readonly options: S3ObjectStoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.prefix = options.prefix;
  }

  /** The object's URL as DuckDB's httpfs extension reads it. */
  locate(key: string): string {
    return `s3://${this.bucket}/${this.objectKey(key)}`;
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const objectKey = this.objectKey(key);
    if (data.byteLength > this.options.multipartThresholdBytes) {
      await this.uploadInParts(objectKey, data.byteLength, async (offset, length) => data.subarray(offset, offset + length));
      return;
    }
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: objectKey, Body: data, ContentLength: data.byteLength }));
  }

  async putFile(key: string, localPath: string, options: PutFileOptions = {}): Promise<void> {
    const objectKey = this.objectKey(key);
    const { size } = await stat(localPath);
    // Bodies are read into memory (one part at a time above the threshold) rather than streamed, so the
    // SDK can retry a request whose connection failed midway: a consumed stream cannot be sent again.
    const file = await open(localPath, "r");
    try {
      const read = async (offset: number, length: number): Promise<Uint8Array> => {
        const buffer = Buffer.allocUnsafe(length);
        let filled = 0;
        while (filled < length) {
          const { bytesRead } = await file.read(buffer, filled, length - filled, offset + filled);
          if (bytesRead === 0) throw new Error(`${localPath} ended at ${offset + filled} bytes, expected ${size}`);
          filled += bytesRead;
        }
        return buffer;
      };
      if (size > this.options.multipartThresholdBytes) await this.uploadInParts(objectKey, size, read);
      else await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: objectKey, Body: await read(0, size), ContentLength: size }));
    } finally {
      await file.close();
    }
    if (options.removeSource) await unlink(localPath);
  }

  async get(key: string): Promise<Uint8Array> {
    const body = await this.getBody(key);
    return body.transformToByteArray();
  }

  /** Streams the object into a local file (created or replaced); NotFoundError when there is none. */
  async download(key: string, localPath: string): Promise<void> {
    const body = await this.getBody(key);
    await pipeline(body as unknown as Readable, createWriteStream(localPath));
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, ...(continuationToken !== undefined && { ContinuationToken: continuationToken }) }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined || !object.Key.startsWith(this.prefix)) continue;
        yield { key: object.Key.slice(this.prefix.length), sizeBytes: object.Size ?? 0, lastModifiedMs: object.LastModified?.getTime() ?? 0 };
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }

  private objectKey(key: string): string {
    assertObjectKey(key);
    return this.prefix + key;
  }

  private async getBody(key: string): Promise<NonNullable<GetObjectCommandOutput["Body"]>> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      if (!answer.Body) throw new Error(`S3 answered GetObject ${key} without a body`);
      return answer.Body;
    } catch (error) {
      if (isNotFound(error)) throw new NotFoundError(`no object ${JSON.stringify(key)}`, "object_not_found");
      throw error;
    }
  }

  private uploadInParts(objectKey: string, sizeBytes: number, readPart: (offset: number, length: number) => Promise<Uint8Array>): Promise<unknown> {
    return uploadMultipart({
      client: this.client,
      bucket: this.bucket,
      key: objectKey,
      sizeBytes,
      partSizeBytes: this.options.multipartPartSizeBytes,
      concurrency: this.options.multipartConcurrency,
      readPart,
    });
  }
}

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: unknown }).name;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  // A missing bucket is a 404 too, and a configuration problem rather than a missing object.
  return name === "NoSuchKey" || (status === 404 && name !== "NoSuchBucket");
}
