// The stream as a process of a cluster sees it: commits (checkpoints, and a function's output with its
// checkpoint) are fenced by the shard leases, and an append the stream cannot take at all (JetStream
// unreachable, e.g. while the NATS server restarts) is an UnavailableError, which ingest answers with
// 503 and Retry-After: nothing was acknowledged, so the client sends it again.
import { ConflictError, ShopstreamError, UnavailableError } from "../errors/index.js";
import type { PutRecordInput, PutRecordResult, PutRecordsOptions, Stream } from "../stream/index.js";
import type { ObjectStore } from "../lake/index.js";

/** A commit for a shard whose lease this worker no longer holds. */
export class LeaseLostError extends ConflictError {
  constructor(unit: string) {
    super(`the lease of ${unit} is no longer this worker's; not committing`, "lease_lost");
  }
}

/** May this process commit for the consumer's shard? True for anything not under a lease. */
export type CommitFence = (consumer: string, stream: string, shardId: string) => boolean;

export function leaseUnitOf(consumer: string, stream: string, shardId: string): string {
  return `${consumer}/${stream}/${shardId}`;
}

const RETRY_AFTER_MS = 2000;

export function guardStream(stream: Stream, fence: CommitFence): Stream {
  const check = (consumer: string, name: string, shardId: string) => {
    if (!fence(consumer, name, shardId)) throw new LeaseLostError(leaseUnitOf(consumer, name, shardId));
  };
  const putRecords = async (name: string, records: PutRecordInput[], options?: PutRecordsOptions): Promise<PutRecordResult[]> => {
    const checkpoint = options?.checkpoint;
    if (checkpoint) check(checkpoint.consumer, checkpoint.stream, checkpoint.shardId);
    let results: PutRecordResult[];
    try {
      results = await stream.putRecords(name, records, options);
    } catch (error) {
      if (checkpoint || error instanceof ShopstreamError) throw error;
      throw new UnavailableError(`the stream is unreachable: ${(error as Error).message}`, { cause: error, retryAfterMs: RETRY_AFTER_MS });
    }
    // Every record refused by the backend itself (not by validation): the stream is down, not the input.
    if (records.length > 0 && results.every((result) => "errorCode" in result && result.errorCode === "InternalFailure")) {
      const first = results[0] as { errorMessage: string };
      throw new UnavailableError(`the stream is unreachable: ${first.errorMessage}`, { retryAfterMs: RETRY_AFTER_MS });
    }
    return results;
  };
  const setCheckpoint = async (consumer: string, name: string, shardId: string, sequenceNumber: string): Promise<void> => {
    check(consumer, name, shardId);
    await stream.setCheckpoint(consumer, name, shardId, sequenceNumber);
  };
  return new Proxy(stream, {
    get(target, property) {
      if (property === "putRecords") return putRecords;
      if (property === "setCheckpoint") return setCheckpoint;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** One shard's view of the lake store: a publish after its lease is gone is refused. */
export function fencedObjectStore(store: ObjectStore, mayPublish: () => boolean, unit: string): ObjectStore {
  const check = () => {
    if (!mayPublish()) throw new LeaseLostError(unit);
  };
  return new Proxy(store, {
    get(target, property) {
      if (property === "put") return (key: string, data: Uint8Array) => (check(), target.put(key, data));
      if (property === "putFile") return (key: string, path: string, options?: Parameters<ObjectStore["putFile"]>[2]) => (check(), target.putFile(key, path, options));
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
