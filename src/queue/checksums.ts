// The digests SQS returns and deduplicates by: MD5 of the body, MD5 of the message attributes in SQS's
// canonical binary encoding (clients such as the AWS SDKs verify both), and SHA-256 content deduplication.
import { createHash } from "node:crypto";
import type { MessageAttributeValue } from "./types.js";

export function md5OfBody(body: string): string {
  return createHash("md5").update(body, "utf8").digest("hex");
}

/** SHA-256 of the body: a FIFO queue's deduplication id under contentBasedDeduplication. */
export function contentDeduplicationId(body: string): string {
  return createHash("sha256").update(body, "utf8").digest("hex");
}

const STRING_TRANSPORT = 1;
const BINARY_TRANSPORT = 2;

/**
 * MD5 over the attributes sorted by name; for each: name, data type and value, each as a 4-byte big-endian
 * length and its bytes (UTF-8 for text), with a 1-byte transport type (1 string, 2 binary) before the value.
 * Undefined with no attributes, as SQS omits MD5OfMessageAttributes then.
 */
export function md5OfMessageAttributes(attributes: Record<string, MessageAttributeValue> | undefined): string | undefined {
  const names = Object.keys(attributes ?? {}).sort();
  if (!attributes || names.length === 0) return undefined;
  const hash = createHash("md5");
  for (const name of names) {
    const attribute = attributes[name]!;
    const binary = isBinaryType(attribute.dataType);
    updateWithLength(hash, Buffer.from(name, "utf8"));
    updateWithLength(hash, Buffer.from(attribute.dataType, "utf8"));
    hash.update(Uint8Array.of(binary ? BINARY_TRANSPORT : STRING_TRANSPORT));
    updateWithLength(hash, binary ? (attribute.binaryValue ?? new Uint8Array()) : Buffer.from(attribute.stringValue ?? "", "utf8"));
  }
  return hash.digest("hex");
}

export function isBinaryType(dataType: string): boolean {
  return dataType === "Binary" || dataType.startsWith("Binary.");
}

function updateWithLength(hash: ReturnType<typeof createHash>, bytes: Uint8Array): void {
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32BE(bytes.byteLength);
  hash.update(length);
  hash.update(bytes);
}
