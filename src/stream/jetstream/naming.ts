// Where a shopstream stream lives in JetStream: one JetStream stream per shopstream stream, one subject
// per shard (`<prefix>.<stream>.<shardIndex>`), and the KV bucket of consumer checkpoints.
import { ValidationError } from "../../errors/index.js";

/** Subject tokens of a prefix: letters, digits, "-" and "_", joined by dots. */
export const SUBJECT_PREFIX_PATTERN = "^[a-zA-Z0-9_-]+(\\.[a-zA-Z0-9_-]+)*$";
const SUBJECT_PREFIX = new RegExp(SUBJECT_PREFIX_PATTERN);

export function checkSubjectPrefix(prefix: string): string {
  if (!SUBJECT_PREFIX.test(prefix)) {
    throw new ValidationError(`JetStream subject prefix must match ${SUBJECT_PREFIX_PATTERN}, got ${JSON.stringify(prefix)}`);
  }
  return prefix;
}

/** JetStream names cannot hold dots; stream names can, and never hold "~". */
function nameToken(value: string): string {
  return value.replaceAll(".", "~");
}

export function jetStreamNameOf(prefix: string, stream: string): string {
  return `${nameToken(prefix)}__${nameToken(stream)}`;
}

export function shardSubjectOf(prefix: string, stream: string, shardIndex: number): string {
  return `${prefix}.${stream}.${shardIndex}`;
}

export function allShardsSubjectOf(prefix: string, stream: string): string {
  return `${prefix}.${stream}.*`;
}

/** Core-NATS subject (outside every JetStream stream) that announces appends to other processes. */
export function appendedSubjectOf(prefix: string, stream: string): string {
  return `${prefix}-appended.${stream}`;
}

/** KV bucket names allow letters, digits, "-" and "_". */
export function bucketNameOf(prefix: string, role: string): string {
  return `${prefix.replaceAll(".", "-")}_${role}`;
}

/** A KV key token for any string: base64url stays inside KV's key alphabet. */
export function keyToken(value: string): string {
  return Buffer.from(value, "utf8").toString("base64url") || "_";
}

export const NANOS_PER_MS = 1_000_000;
