// Shard iterators: opaque base64 tokens that carry where a read goes on, for which stream incarnation,
// and until when they are valid (5 minutes, as in AWS: a later GetRecords gets ExpiredIteratorException).
import type { StartingPosition } from "../../stream/index.js";
import { AwsError } from "../errors.js";

export const ITERATOR_LIFETIME_MS = 5 * 60_000;

export interface ShardIteratorState {
  stream: string;
  /** the stream's creation time: an iterator of a deleted and re-created stream is not valid */
  streamCreatedAt: number;
  shardId: string;
  position: StartingPosition;
  expiresAtMs: number;
}

export function encodeShardIterator(state: ShardIteratorState): string {
  return Buffer.from(JSON.stringify([1, state.stream, state.streamCreatedAt, state.shardId, state.position, state.expiresAtMs])).toString("base64");
}

export function decodeShardIterator(token: string, nowMs = Date.now()): ShardIteratorState {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(token, "base64").toString("utf8"));
  } catch {
    parts = undefined;
  }
  if (!Array.isArray(parts) || parts[0] !== 1 || parts.length !== 6) throw new AwsError("InvalidArgumentException", "Invalid ShardIterator.");
  const [, stream, streamCreatedAt, shardId, position, expiresAtMs] = parts as [number, string, number, string, StartingPosition, number];
  if (nowMs > expiresAtMs) {
    throw new AwsError("ExpiredIteratorException", `Iterator expired. The iterator was created at time ${new Date(expiresAtMs - ITERATOR_LIFETIME_MS).toISOString()} while right now it is ${new Date(nowMs).toISOString()} which is further in the future than the tolerated delay of ${ITERATOR_LIFETIME_MS} milliseconds.`);
  }
  return { stream, streamCreatedAt, shardId, position, expiresAtMs };
}
