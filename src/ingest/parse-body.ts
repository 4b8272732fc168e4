// Splits an ingest request body into items in input order: one JSON event, a JSON array of events, or
// NDJSON (one event per line). A malformed NDJSON line fails only itself; its neighbours go on.
import { ValidationError } from "../errors/index.js";

/**
 * One event of a body. `raw` is the event's own JSON text when the body had one per event (NDJSON, a
 * single object): ingest then stores that text instead of serializing the parsed value again.
 */
export type BodyItem = { ok: true; value: unknown; raw?: string } | { ok: false; code: string; message: string };

const utf8 = new TextDecoder("utf-8", { fatal: true });

function decode(body: Uint8Array): string {
  try {
    return utf8.decode(body);
  } catch {
    throw new ValidationError("body is not valid UTF-8", "invalid_encoding");
  }
}

function parseLines(text: string, maxEvents: number): BodyItem[] {
  const items: BodyItem[] = [];
  let lineNo = 0;
  for (const line of text.split("\n")) {
    lineNo++;
    const trimmed = line.trim();
    if (trimmed === "") continue;
    if (items.length === maxEvents) {
      throw new ValidationError(`a request takes at most ${maxEvents} events; send the rest in another request`, "too_many_events");
    }
    try {
      items.push({ ok: true, value: JSON.parse(trimmed), raw: trimmed });
    } catch (error) {
      items.push({ ok: false, code: "malformed_json", message: `line ${lineNo}: ${(error as Error).message}` });
    }
  }
  return items;
}

/**
 * NDJSON whose bytes are not all UTF-8: each line is decoded alone, so a line with invalid UTF-8 fails
 * only itself (refused, never stored with U+FFFD in place of its bytes), as a malformed line does.
 */
function parseLinesOfBytes(body: Uint8Array, maxEvents: number): BodyItem[] {
  const items: BodyItem[] = [];
  let lineNo = 0;
  for (let start = 0; start < body.length; ) {
    const newline = body.indexOf(0x0a, start);
    const end = newline === -1 ? body.length : newline;
    const bytes = body.subarray(start, end);
    start = end + 1;
    lineNo++;
    let line: string;
    try {
      line = utf8.decode(bytes);
    } catch {
      if (items.length === maxEvents) throw new ValidationError(`a request takes at most ${maxEvents} events; send the rest in another request`, "too_many_events");
      items.push({ ok: false, code: "invalid_encoding", message: `line ${lineNo}: not valid UTF-8` });
      continue;
    }
    for (const item of parseLines(line, maxEvents - items.length)) {
      items.push(item.ok ? item : { ...item, message: item.message.replace(/^line 1:/, `line ${lineNo}:`) });
    }
  }
  return items;
}

const isNdjson = (contentType: string | undefined) => contentType?.includes("ndjson") === true || contentType?.includes("jsonlines") === true;

export function parseBody(body: Uint8Array, contentType: string | undefined, maxEvents: number): BodyItem[] {
  let text: string;
  try {
    text = decode(body);
  } catch (error) {
    if (!isNdjson(contentType)) throw error;
    return parseLinesOfBytes(body, maxEvents);
  }
  const first = text.trimStart()[0];
  if (first === undefined) throw new ValidationError("body is empty; send one JSON event, a JSON array or NDJSON", "empty_body");
  if (isNdjson(contentType)) return parseLines(text, maxEvents);
  if (first === "[") {
    let values: unknown;
    try {
      values = JSON.parse(text);
    } catch (error) {
      throw new ValidationError(`body is not valid JSON: ${(error as Error).message}`, "malformed_json");
    }
    if (!Array.isArray(values)) throw new ValidationError("body is not valid JSON", "malformed_json");
    if (values.length === 0) throw new ValidationError("the event array is empty", "empty_body");
    if (values.length > maxEvents) {
      throw new ValidationError(`a request takes at most ${maxEvents} events, got ${values.length}`, "too_many_events");
    }
    return values.map((value) => ({ ok: true, value }));
  }
  if (first === "{") {
    try {
      const trimmed = text.trim();
      return [{ ok: true, value: JSON.parse(trimmed), raw: trimmed }];
    } catch (error) {
      // Not one object: NDJSON without the content type. A single malformed line is a malformed body.
      const items = parseLines(text, maxEvents);
      if (items.length === 1 && !items[0]!.ok) {
        throw new ValidationError(`body is not valid JSON: ${(error as Error).message}`, "malformed_json");
      }
      return items;
    }
  }
  const items = parseLines(text, maxEvents);
  if (items.length === 1 && !items[0]!.ok) throw new ValidationError(`body is not valid JSON: ${items[0]!.message.replace(/^line 1: /, "")}`, "malformed_json");
  return items;
}
