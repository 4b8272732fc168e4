// A multipart upload of one object: parts of a fixed size uploaded a few at a time, then completed in one
// call. S3 makes the object visible only when CompleteMultipartUpload succeeds, all at once, so a reader
// never sees a partial object; on any failure the upload is aborted, so its parts are not left behind
// (billed and invisible) in the bucket.
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand, type S3Client } from "@aws-sdk/client-s3";

/** S3 allows at most this many parts per object. */
const MAX_PARTS = 10_000;

export interface MultipartUploadOptions {
  client: S3Client;
  bucket: string;
  key: string;
  sizeBytes: number;
  partSizeBytes: number;
  /** parts in flight at once */
  concurrency: number;
  /** the bytes of [offset, offset + length) of the object */
  readPart: (offset: number, length: number) => Promise<Uint8Array>;
}

/** The part size to use: the configured one, or larger when the object would need more than 10,000 parts. */
export function partSizeFor(sizeBytes: number, partSizeBytes: number): number {
  return Math.max(partSizeBytes, Math.ceil(sizeBytes / MAX_PARTS));
}

export async function uploadMultipart(options: MultipartUploadOptions): Promise<{ parts: number }> {
  const { client, bucket, key, sizeBytes } = options;
  const partSize = partSizeFor(sizeBytes, options.partSizeBytes);
  const partCount = Math.max(1, Math.ceil(sizeBytes / partSize));
  const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  const uploadId = created.UploadId;
  if (!uploadId) throw new Error(`S3 answered CreateMultipartUpload for ${key} without an UploadId`);
  try {
    const etags: string[] = new Array<string>(partCount);
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      // Once one part fails the others stop taking new parts; the upload is aborted below.
      while (!failed && next < partCount) {
        const index = next++;
        const offset = index * partSize;
        const length = Math.min(partSize, sizeBytes - offset);
        try {
          const body = await options.readPart(offset, length);
          const part = await client.send(
            new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: index + 1, Body: body, ContentLength: length }),
          );
          if (!part.ETag) throw new Error(`S3 answered UploadPart ${index + 1} of ${key} without an ETag`);
          etags[index] = part.ETag;
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    const results = await Promise.allSettled(Array.from({ length: Math.min(options.concurrency, partCount) }, worker));
    const failure = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failure) throw failure.reason;
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: etags.map((etag, index) => ({ PartNumber: index + 1, ETag: etag })) },
      }),
    );
    return { parts: partCount };
  } catch (error) {
    // Best effort: the original failure is what the caller needs; a bucket lifecycle rule
    // (AbortIncompleteMultipartUpload) cleans up an upload whose abort failed too.
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
    throw error;
  }
}
