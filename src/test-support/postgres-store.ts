// A PostgreSQL serving store in a schema of its own, dropped when the test ends: suites run side by side
// on one server without seeing each other's tables.
import { randomBytes } from "node:crypto";
import type { TestContext } from "node:test";
import pg from "pg";
import { PostgresStore } from "../store/index.js";
import { POSTGRES_URL } from "./backends.js";

export function uniqueSchemaName(prefix = "test"): string {
  return `${prefix}_${randomBytes(6).toString("hex")}`;
}

/** Drops the schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** Drops the schema once the test is over (after its own after-hooks, which close the stores). */
export function dropSchemaAfter(t: Pick<TestContext, "after">, schema: string): void {
  t.after(() => dropSchema(schema));
}

export async function openTestPostgresStore(t: Pick<TestContext, "after">, options: { schema?: string; poolSize?: number } = {}): Promise<PostgresStore> {
  const schema = options.schema ?? uniqueSchemaName();
  const store = await PostgresStore.open({ url: POSTGRES_URL, schema, poolSize: options.poolSize ?? 4 });
  t.after(async () => {
    await store.close();
    await dropSchema(schema);
  });
  return store;
}
