// Writes the first N events of a stream to a file, one JSON object per line. It streams in chunks with
// backpressure, so a hundred million events need no more memory than a thousand.
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { finished } from "node:stream/promises";
import { EventTally } from "./event-tally.js";
import type { TrafficGenerator } from "./traffic.js";

export interface WriteNdjsonOptions {
  generator: TrafficGenerator;
  count: number;
  filePath: string;
  /** called after each chunk with the number of events written so far */
  onProgress?: (written: number) => void;
}

export interface WriteNdjsonResult {
  events: number;
  bytes: number;
  tally: EventTally;
  /** occurred_at of the first and last event, when any were written */
  firstOccurredAt?: string;
  lastOccurredAt?: string;
}

/** Events per write(): big enough to amortise the call, small enough to keep progress smooth. */
const EVENTS_PER_CHUNK = 2_000;

export async function writeEventsNdjson(options: WriteNdjsonOptions): Promise<WriteNdjsonResult> {
  const { generator, count, filePath, onProgress } = options;
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  const file = createWriteStream(filePath);
  // Surface an open error (missing directory, permissions) before generating anything.
  await once(file, "open");
  const tally = new EventTally();
  const result: WriteNdjsonResult = { events: 0, bytes: 0, tally };
  try {
    while (result.events < count) {
      const events = generator.take(Math.min(EVENTS_PER_CHUNK, count - result.events));
      let chunk = "";
      for (const event of events) chunk += `${JSON.stringify(event)}\n`;
      tally.add(events);
      result.firstOccurredAt ??= events[0]?.occurred_at;
      result.lastOccurredAt = events[events.length - 1]?.occurred_at ?? result.lastOccurredAt;
      result.events += events.length;
      if (!file.write(chunk)) await once(file, "drain");
      onProgress?.(result.events);
    }
    file.end();
    await finished(file);
  } catch (error) {
    file.destroy();
    throw error;
  }
  result.bytes = file.bytesWritten;
  return result;
}
