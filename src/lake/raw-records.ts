// How DuckDB reads raw records for an NDJSON delivery stream: the lines are kept byte for byte, and parsed
// only when a prefix needs a record field (a dynamic partitioning key or the timestamp field). A record
// whose field is missing, or that is not JSON when a field is needed, goes to the error prefix.
import { ConfigError } from "../errors/index.js";
import type { ResolvedDeliveryStream } from "./delivery-stream.js";
import { addPath, shapeLiteral, ShapeConflictError, type JsonShape } from "./json-shape.js";
import { errorCase, partitionFields, partitionKeyColumn, type RecordCheck } from "./record-checks.js";
import { stagedLinesRelation, type StagingLayout } from "./staging-lines.js";

export class RawRecordsSql {
  readonly layout: StagingLayout = "fields";
  private readonly shape: JsonShape = {};
  private readonly checks: RecordCheck[];
  private readonly keyValues: ReadonlyMap<string, string>;
  private readonly timestamp: string | undefined;

  constructor(delivery: ResolvedDeliveryStream) {
    const fields = partitionFields(delivery, (path, configPath) => {
      try {
        return addPath(this.shape, "r", path.split("."), "VARCHAR");
      } catch (error) {
        if (error instanceof ShapeConflictError) throw new ConfigError(`${configPath}: cannot read ${path}: ${error.message}`);
        throw error;
      }
    });
    this.keyValues = fields.keyValues;
    this.timestamp = fields.timestamp;
    const needsFields = Object.keys(this.shape).length > 0;
    this.checks = needsFields
      ? [{ errorType: "invalid_json", failsWhen: "NOT is_json", message: "'record is not JSON, and a prefix reads its fields'" }, ...fields.checks]
      : [];
  }

  /** DuckDB's reader of a staged file: the lines byte for byte. */
  stagedRelation(path: string): string {
    return stagedLinesRelation(path);
  }

  /**
   * The SELECT that turns staged lines (`i`, `t`, `line`: stagedRelation's columns) into the batch table.
   * A record that fails a check has an `error` whose message is NULL: selectErrors describes it.
   */
  selectBatch(lines: string): string {
    const columns = [
      "i",
      "t",
      "line",
      ...[...this.keyValues].map(([key, value]) => `${value} AS ${partitionKeyColumn(key)}`),
      `${this.timestamp ?? "NULL::TIMESTAMPTZ"} AS event_time`,
      `${errorCase(this.checks, "typed")} AS error`,
    ];
    return `SELECT ${columns.join(", ")} FROM ${this.parsed(lines)}`;
  }

  /** `i` and the described `error` of the records at `indexes` (records that failed a check in selectBatch). */
  selectErrors(lines: string, indexes: readonly number[]): string {
    return `SELECT i, ${errorCase(this.checks, "described")} AS error FROM ${this.parsed(lines)} WHERE i IN (${indexes.join(", ")})`;
  }

  /** The lines, parsed only when a check reads a field. */
  private parsed(lines: string): string {
    if (this.checks.length === 0) return lines;
    return (
      `(SELECT i, t, line, is_json, ` +
      `CASE WHEN is_json THEN json_transform(line, ${shapeLiteral(this.shape)}) END AS r ` +
      `FROM (SELECT i, t, line, coalesce(json_valid(line), false) AS is_json FROM ${lines}))`
    );
  }
}
