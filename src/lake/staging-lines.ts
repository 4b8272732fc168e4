// The file DuckDB reads for one flush, built as records arrive: one line per record with its index in the
// batch and its arrival time. The record bytes are copied as they are (they are JSON already, or the raw
// zone's payload), so the JavaScript thread never parses a record. Copying into one growing buffer also
// lets the stream's per-record buffers die young instead of being kept until the flush.
//
// Two layouts, one per reader:
// - "json": `{"i":<index>,"t":<arrival ms>,"r":<record>}`, for DuckDB's JSON reader, which parses each
//   record straight into typed columns (the fastest way into DuckDB, measured: a third less time than
//   parsing text lines with json_transform). A record that is not JSON breaks its line, and the reader
//   skips it (ignore_errors): its index is missing from the batch, which is how it is found. `i` and `t`
//   come first because on duplicate keys the reader keeps the first, so no record can rewrite them.
// - "fields": `<index>\x1f<arrival ms>\x1f<record>`, for the CSV reader, which keeps a line byte for byte
//   (the raw zone): JSON text never holds an unescaped \x1f.
import { quoteSqlString } from "./sql-text.js";

export type StagingLayout = "json" | "fields";

const INITIAL_CAPACITY_BYTES = 256 * 1024;
/** The most a recycled buffer may exceed the capacity a batch asks for (see the constructor). */
const MAX_RECYCLED_SLACK = 1.5;
export const FIELD_SEPARATOR = 0x1f;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const CLOSE_BRACE = 0x7d;
const HEAD_INDEX = Buffer.from('{"i":', "latin1");
const HEAD_ARRIVAL = Buffer.from(',"t":', "latin1");
const HEAD_RECORD = Buffer.from(',"r":', "latin1");
/** The longest head of a line: the JSON layout's three parts and two numbers of up to 24 characters. */
const HEAD_MAX_BYTES = 15 + 2 * 24;
/** Larger than any record a stream holds (the SQLite stream caps them at 10 MiB), plus the line's head. */
const MAX_LINE_BYTES = 11 * 1024 * 1024;

/** Whether `bytes` can be staged in a line as they are: no line break, no field separator. */
export function fitsOnALine(bytes: Buffer): boolean {
  return bytes.indexOf(NEWLINE) < 0 && bytes.indexOf(CARRIAGE_RETURN) < 0 && bytes.indexOf(FIELD_SEPARATOR) < 0;
}

/** SQL for the CSV reader of a "fields" file: the columns i, t and line. */
export function stagedLinesRelation(path: string): string {
  return linesReader(path, "'i': 'INTEGER', 't': 'BIGINT', 'line': 'VARCHAR'");
}

/** SQL for the JSON reader of a "json" file: the columns i, t and r, the record read as `recordType`. */
export function stagedRecordsRelation(path: string, recordType: string): string {
  return (
    `read_json(${quoteSqlString(path)}, format = 'newline_delimited', ignore_errors = true, maximum_object_size = ${MAX_LINE_BYTES}, ` +
    `columns = {i: 'INTEGER', t: 'BIGINT', r: ${quoteSqlString(recordType)}})`
  );
}

/**
 * A plain NDJSON file read as staged "json" lines would be: i numbers the lines from 0, t is 0. A line
 * that is not JSON reads as a record of NULLs, which the checks refuse.
 */
export function ndjsonRecordsRelation(path: string, recordType: string): string {
  return (
    `(SELECT CAST(row_number() OVER () - 1 AS INTEGER) AS i, CAST(0 AS BIGINT) AS t, json AS r FROM read_json(${quoteSqlString(path)}, ` +
    `format = 'newline_delimited', records = false, ignore_errors = true, maximum_object_size = ${MAX_LINE_BYTES}, columns = {json: ${quoteSqlString(recordType)}}))`
  );
}

function linesReader(path: string, columns: string): string {
  return (
    `read_csv(${quoteSqlString(path)}, columns = {${columns}}, header = false, auto_detect = false, ` +
    `delim = chr(${FIELD_SEPARATOR}), quote = '', escape = '', new_line = '\\n', max_line_size = ${MAX_LINE_BYTES})`
  );
}

export class StagingLines {
  private buffer: Buffer;
  private used = 0;
  /** per record, by batch index: where its bytes start and end in `buffer`, or -1 when it was not staged */
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** records staged, not counting those left out */
  lineCount = 0;
  private arrivalMs = Number.NaN;
  private arrivalDigits: Uint8Array = new Uint8Array(0);

  /**
   * `capacityBytes`: what the lines will likely take, e.g. the last batch's size while a backlog lasts (the
   * buffer then never grows by copying, measured: a quarter of staging's time). `recycled`: a buffer a
   * delivered batch gave back (release()), used when it is large enough: fresh memory costs a page fault
   * per 4 KiB on first write (measured: 40 MB copied into a fresh buffer 23 ms, into a used one 3.5 ms).
   * A recycled buffer over MAX_RECYCLED_SLACK times the capacity asked for is let go instead: one that grew
   * by doubling just past a full batch (a shard that filled its buffer while caught up) is nearly twice
   * what a batch needs, and would be held at that size for as long as the backlog lasts.
   */
  constructor(
    private readonly layout: StagingLayout,
    capacityBytes?: number,
    recycled?: Buffer,
  ) {
    const capacity = Math.max(INITIAL_CAPACITY_BYTES, capacityBytes ?? 0);
    const fits = recycled !== undefined && recycled.length >= capacity && (capacityBytes === undefined || recycled.length <= capacity * MAX_RECYCLED_SLACK);
    this.buffer = fits ? recycled : Buffer.allocUnsafe(capacity);
  }

  /**
   * Room for exactly `totalBytes` of lines in all (when the buffer has less), so that the buffer neither
   * grows by doubling up to them nor, by doubling, to nearly twice them.
   */
  ensureCapacity(totalBytes: number): void {
    if (totalBytes > this.buffer.length) this.resize(totalBytes);
  }

  /** The buffer, for another batch to stage into; this batch's lines must not be read again. */
  release(): Buffer {
    const buffer = this.buffer;
    this.buffer = Buffer.alloc(0);
    this.used = 0;
    return buffer;
  }

  /** Stages the record with batch index `index` (indexes count up from 0, one call per index). */
  append(index: number, arrivalMs: number, record: Uint8Array): void {
    this.writeHead(index, arrivalMs, record.byteLength);
    this.buffer.set(record, this.used);
    this.used += record.byteLength;
    this.writeTail();
  }

  /** append() of the record `source[start, end)`, with no view object made per record. */
  appendSlice(index: number, arrivalMs: number, source: Buffer, start: number, end: number): void {
    this.writeHead(index, arrivalMs, end - start);
    this.used += source.copy(this.buffer, this.used, start, end);
    this.writeTail();
  }

  /** The line's head, its digits written byte by byte: a string per line was a third of staging's time. */
  private writeHead(index: number, arrivalMs: number, recordBytes: number): void {
    this.reserve(HEAD_MAX_BYTES + recordBytes + 2);
    const json = this.layout === "json";
    if (json) this.writeBytes(HEAD_INDEX);
    this.writeInteger(index);
    if (json) this.writeBytes(HEAD_ARRIVAL);
    else this.buffer[this.used++] = FIELD_SEPARATOR;
    // Records appended together share their arrival time: its digits are made once.
    if (arrivalMs !== this.arrivalMs) {
      this.arrivalMs = arrivalMs;
      this.arrivalDigits = Buffer.from(String(arrivalMs), "latin1");
    }
    this.writeBytes(this.arrivalDigits);
    if (json) this.writeBytes(HEAD_RECORD);
    else this.buffer[this.used++] = FIELD_SEPARATOR;
    this.starts.push(this.used);
  }

  private writeBytes(bytes: Uint8Array): void {
    for (let k = 0; k < bytes.length; k++) this.buffer[this.used++] = bytes[k]!;
  }

  /** A batch index in decimal. */
  private writeInteger(value: number): void {
    if (!(value >= 0 && value <= 0x7fffffff) || !Number.isInteger(value)) {
      this.used += this.buffer.write(String(value), this.used, "latin1");
      return;
    }
    let digits = 1;
    for (let rest = value; rest >= 10; rest = (rest / 10) | 0) digits++;
    for (let k = this.used + digits - 1, rest = value; k >= this.used; k--, rest = (rest / 10) | 0) this.buffer[k] = 48 + (rest % 10);
    this.used += digits;
  }

  private writeTail(): void {
    this.ends.push(this.used);
    if (this.layout === "json") this.buffer[this.used++] = CLOSE_BRACE;
    this.buffer[this.used++] = NEWLINE;
    this.lineCount++;
  }

  /** Records the batch index as not staged (refused before DuckDB). */
  skip(): void {
    this.starts.push(-1);
    this.ends.push(-1);
  }

  /** The staged bytes of the record at `index`, or undefined if it was not staged. */
  recordAt(index: number): Buffer | undefined {
    const start = this.starts[index];
    if (start === undefined || start < 0) return undefined;
    return this.buffer.subarray(start, this.ends[index]);
  }

  /** The batch indexes of the staged records, in order. */
  stagedIndexes(): number[] {
    const indexes: number[] = [];
    for (let index = 0; index < this.starts.length; index++) if (this.starts[index]! >= 0) indexes.push(index);
    return indexes;
  }

  bytes(): Buffer {
    return this.buffer.subarray(0, this.used);
  }

  private reserve(bytes: number): void {
    if (this.used + bytes > this.buffer.length) this.resize(Math.max(this.buffer.length * 2, this.used + bytes));
  }

  private resize(capacity: number): void {
    const grown = Buffer.allocUnsafe(capacity);
    this.buffer.copy(grown, 0, 0, this.used);
    this.buffer = grown;
  }
}
