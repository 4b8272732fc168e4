// The full data-quality check (`shopstream check`): every table's expectations over everything the lake
// holds, read as a query reads it. Per batch, `unique` looks within the batch; here it looks across the
// whole table, and `freshness` asks whether the newest row is recent.
import { DuckDBInstance } from "@duckdb/node-api";
import { DEFAULT_TABLES_CONFIG, type TablesConfig } from "./config.js";
import { runExpectations, type ExpectationCheck, type ExpectationOutcome } from "./expectations.js";
import { quoteIdentifier } from "./sql-text.js";
import { scanTableFiles } from "./table-sql.js";
import { LAKE_TABLES, type LakeTableName } from "./tables.js";

export interface QualityCheckReport {
  checkedAt: string;
  /** false when a blocking expectation failed */
  passed: boolean;
  outcomes: ExpectationOutcome[];
}

export interface QualityCheckOptions {
  /** the lake root: the directory holding `curated/` */
  lakeDir: string;
  /** the expectations; default: the shipped ones */
  tables?: TablesConfig;
}

export async function runQualityCheck(options: QualityCheckOptions): Promise<QualityCheckReport> {
  const tables = options.tables ?? DEFAULT_TABLES_CONFIG;
  const instance = await DuckDBInstance.create(":memory:", { autoinstall_known_extensions: "false", autoload_known_extensions: "false" });
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    const checks: ExpectationCheck[] = [];
    for (const table of LAKE_TABLES) {
      const expectations = tables[table.name as LakeTableName].expectations;
      if (expectations.length === 0) continue;
      const relation = quoteIdentifier(table.name);
      await connection.run(`CREATE VIEW ${relation} AS SELECT * FROM ${await scanTableFiles(options.lakeDir, table)}`);
      for (const expectation of expectations) checks.push({ table: table.name, expectation, relation });
    }
    const outcomes = await runExpectations(connection, checks);
    return { checkedAt: new Date().toISOString(), passed: outcomes.every((outcome) => outcome.passed || !outcome.blocking), outcomes };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
