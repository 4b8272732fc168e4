// The NDJSON file DuckDB reads for one batch, built as records arrive: each valid record wrapped with its
// index in the batch and its hour partition, `{"i":0,"h":0,"r":<record>}`. The raw bytes are copied into
// one growing buffer right away, so the stream's per-record buffers die young instead of being kept
// (and promoted by the garbage collector) until the flush.

const INITIAL_CAPACITY_BYTES = 256 * 1024;
const CLOSE_BRACE = 0x7d;
const NEWLINE = 0x0a;

export class BatchNdjson {
  private buffer = Buffer.allocUnsafe(INITIAL_CAPACITY_BYTES);
  private used = 0;
  /** per record: start and end of its raw bytes in `buffer`, and its hour index */
  private readonly spans: number[] = [];

  get recordCount(): number {
    return this.spans.length / 3;
  }

  append(hourIndex: number, record: Uint8Array): void {
    const prefix = `{"i":${this.recordCount},"h":${hourIndex},"r":`;
    this.reserve(prefix.length + record.byteLength + 2);
    this.used += this.buffer.write(prefix, this.used, "latin1");
    this.spans.push(this.used, this.used + record.byteLength, hourIndex);
    this.buffer.set(record, this.used);
    this.used += record.byteLength;
    this.buffer[this.used++] = CLOSE_BRACE;
    this.buffer[this.used++] = NEWLINE;
  }

  /**
   * The file's bytes. With `canonical`, each record is re-encoded from its parsed value: the fallback for a
   * raw record that DuckDB reads differently from JSON.parse (one with duplicate keys, say).
   */
  bytes(canonical = false): Buffer {
    if (!canonical) return this.buffer.subarray(0, this.used);
    const rebuilt = new BatchNdjson();
    for (let i = 0; i < this.spans.length; i += 3) {
      const raw = this.buffer.subarray(this.spans[i]!, this.spans[i + 1]!).toString("utf8");
      rebuilt.append(this.spans[i + 2]!, Buffer.from(JSON.stringify(JSON.parse(raw))));
    }
    return rebuilt.bytes();
  }

  private reserve(bytes: number): void {
    if (this.used + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.used + bytes));
    this.buffer.copy(grown, 0, 0, this.used);
    this.buffer = grown;
  }
}
