// Temporary directories for tests, removed when the test ends.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";

export function tempDir(t: TestContext | { after: (fn: () => void) => void }, prefix = "shopstream-"): string {
  const dir = makeTempDir(prefix);
  t.after(() => removeDir(dir));
  return dir;
}

/** A temp dir the caller removes (with removeDir) when it is done, e.g. after a server stops. */
export function makeTempDir(prefix = "shopstream-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Removes `dir`, retrying while files still appear in it (a process that is being stopped); a failure is
 * reported, not thrown, so that the cleanup hooks registered after this one still run.
 */
export function removeDir(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  } catch (error) {
    process.stderr.write(`could not remove ${dir}: ${(error as Error).message}\n`);
  }
}
