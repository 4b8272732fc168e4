// Data-quality expectations as SQL: one query per expectation over any relation of a table's rows, so the
// same code checks a delivered batch (the staged rows, before they are published) and a whole table
// (`shopstream check`). Each query answers one row: passed, failing rows, rows checked, and what was seen.
import type { DuckDBConnection } from "@duckdb/node-api";
import type { Expectation } from "./config.js";
import { quoteIdentifier, sqlLiteral } from "./sql-text.js";

export interface ExpectationOutcome {
  table: string;
  /** e.g. `range(total)`: the metric label and the report's name for it */
  expectation: string;
  type: Expectation["type"];
  blocking: boolean;
  passed: boolean;
  failingRows: number;
  checkedRows: number;
  /** what the check saw, for a person: the range of values, a duplicated key, the newest timestamp */
  observed: string | null;
}

export interface ExpectationCheck {
  table: string;
  expectation: Expectation;
  /** the rows to check: a table, a view or a parenthesised query */
  relation: string;
}

export function expectationName(expectation: Expectation): string {
  return expectation.type === "unique" ? `unique(${expectation.columns.join(",")})` : `${expectation.type}(${expectation.column})`;
}

/** One row: passed BOOLEAN, failing BIGINT, checked BIGINT, observed VARCHAR. */
function expectationSql(expectation: Expectation, relation: string): string {
  switch (expectation.type) {
    case "notNull": {
      const column = quoteIdentifier(expectation.column);
      return `SELECT count(*) FILTER (WHERE ${column} IS NULL) AS failing, count(*) AS checked, NULL AS observed FROM ${relation}`;
    }
    case "unique": {
      const columns = expectation.columns.map(quoteIdentifier);
      const key = columns.length === 1 ? `CAST(${columns[0]} AS VARCHAR)` : `concat_ws(', ', ${columns.map((column) => `CAST(${column} AS VARCHAR)`).join(", ")})`;
      return (
        `SELECT coalesce(sum(n) FILTER (WHERE n > 1), 0) AS failing, (SELECT count(*) FROM ${relation}) AS checked, ` +
        `'duplicated: ' || min(k) FILTER (WHERE n > 1) AS observed ` +
        `FROM (SELECT ${key} AS k, count(*) AS n FROM ${relation} WHERE ${columns.map((column) => `${column} IS NOT NULL`).join(" AND ")} GROUP BY ALL)`
      );
    }
    case "range": {
      const column = quoteIdentifier(expectation.column);
      const outside = [
        ...(expectation.min === undefined ? [] : [`${column} < ${expectation.min}`]),
        ...(expectation.max === undefined ? [] : [`${column} > ${expectation.max}`]),
      ].join(" OR ");
      return (
        `SELECT count(*) FILTER (WHERE ${outside}) AS failing, count(*) AS checked, ` +
        `'from ' || min(${column}) || ' to ' || max(${column}) AS observed FROM ${relation}`
      );
    }
    case "allowedValues": {
      const column = quoteIdentifier(expectation.column);
      const outside = `${column} IS NOT NULL AND ${column} NOT IN (${expectation.values.map(sqlLiteral).join(", ")})`;
      return `SELECT count(*) FILTER (WHERE ${outside}) AS failing, count(*) AS checked, 'e.g. ' || min(CAST(${column} AS VARCHAR)) FILTER (WHERE ${outside}) AS observed FROM ${relation}`;
    }
    case "freshness": {
      const newest = `max(CAST(${quoteIdentifier(expectation.column)} AS TIMESTAMPTZ))`;
      // No rows is not fresh; a query over an empty table answers NULL for the newest value.
      return (
        `SELECT CASE WHEN coalesce(${newest} >= now() - to_seconds(${expectation.maxAgeSec}), false) THEN 0 ELSE count(*) END AS failing, ` +
        `count(*) AS checked, 'newest ' || strftime(${newest}, '%Y-%m-%dT%H:%M:%SZ') AS observed, ` +
        `coalesce(${newest} >= now() - to_seconds(${expectation.maxAgeSec}), false) AS fresh FROM ${relation}`
      );
    }
  }
}

/** Runs every check in one query and returns their outcomes, in order. */
export async function runExpectations(connection: DuckDBConnection, checks: readonly ExpectationCheck[]): Promise<ExpectationOutcome[]> {
  if (checks.length === 0) return [];
  const reader = await connection.runAndReadAll(`${expectationsQuery(checks)} ORDER BY k`);
  return expectationOutcomes(checks, reader.getRows());
}

/**
 * One query over every check, a row each: k (the check's position), passed, failing, checked, observed.
 * Other rows of that shape with a negative k may be added to it (UNION ALL): the delivery asks for its
 * row counts in the same round trip.
 */
export function expectationsQuery(checks: readonly ExpectationCheck[]): string {
  const parts = checks.map(({ expectation, relation }, k) => {
    const passed = expectation.type === "freshness" ? "fresh" : "failing = 0";
    return `SELECT ${k} AS k, ${passed} AS passed, CAST(failing AS BIGINT) AS failing, CAST(checked AS BIGINT) AS checked, CAST(observed AS VARCHAR) AS observed FROM (${expectationSql(expectation, relation)})`;
  });
  return parts.length === 0 ? "SELECT 0 AS k, NULL::BOOLEAN AS passed, 0::BIGINT AS failing, 0::BIGINT AS checked, NULL::VARCHAR AS observed WHERE false" : parts.join(" UNION ALL ");
}

/** The outcomes of `checks` from the rows of expectationsQuery (rows with a negative k are left out). */
export function expectationOutcomes(checks: readonly ExpectationCheck[], rows: ReadonlyArray<ReadonlyArray<unknown>>): ExpectationOutcome[] {
  return rows
    .filter((row) => Number(row[0]) >= 0)
    .sort((a, b) => Number(a[0]) - Number(b[0]))
    .map((row) => {
      const check = checks[Number(row[0])]!;
      return {
        table: check.table,
        expectation: expectationName(check.expectation),
        type: check.expectation.type,
        blocking: check.expectation.blocking,
        passed: row[1] === true,
        failingRows: Number(row[2]),
        checkedRows: Number(row[3]),
        observed: row[4] === null ? null : String(row[4]),
      };
    });
}
