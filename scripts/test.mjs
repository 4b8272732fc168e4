#!/usr/bin/env node
// `npm test`: type-checks, then runs every *.test.ts under src/ and test/ with node's test runner (tsx for
// TypeScript). Backend suites (PostgreSQL, NATS, Chromium) skip with a printed reason when their service
// is missing, unless CI=true, where a missing backend is a failure. Extra arguments filter test files.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const filters = process.argv.slice(2);

function testFiles(dir) {
  let entries;
  try {
    entries = readdirSync(join(root, dir), { recursive: true, withFileTypes: false });
  } catch {
    return [];
  }
  return entries
    .map(String)
    .filter((f) => f.endsWith(".test.ts") && !f.includes("node_modules"))
    .map((f) => join(dir, f));
}

const files = [...testFiles("src"), ...testFiles("test")]
  .filter((f) => filters.length === 0 || filters.some((pattern) => f.includes(pattern)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(" ")}`);
  process.exit(1);
}

if (filters.length === 0) {
  console.log("type-checking (tsc --noEmit)…");
  // The server and tests, then the dashboard's browser code (its own tsconfig: DOM types, no node).
  for (const project of ["tsconfig.json", "web/tsconfig.json"]) {
    const tsc = spawnSync("npx", ["tsc", "--noEmit", "-p", project], { cwd: root, stdio: "inherit" });
    if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  }
}

const concurrency = process.env.SHOPSTREAM_TEST_CONCURRENCY ?? "2";
const run = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, "--test-reporter=spec", ...files],
  { cwd: root, stdio: "inherit", env: { ...process.env, NODE_ENV: "test" } },
);
process.exit(run.status ?? 1);
