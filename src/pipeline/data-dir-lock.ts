// One running pipeline per data dir: `up` holds <data-dir>/shopstream.pid. A lock left by a process that
// died (kill -9) is stale and is taken over; a live one is refused with its pid.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConflictError } from "../errors/index.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function lockHolder(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, "shopstream.pid"), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function acquireDataDirLock(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, "shopstream.pid");
  const holder = lockHolder(dataDir);
  if (holder !== undefined) {
    throw new ConflictError(`data dir ${dataDir} is in use by a running shopstream (pid ${holder}); stop it first or use another --data-dir`, "data_dir_locked");
  }
  writeFileSync(path, `${process.pid}\n`);
  return () => rmSync(path, { force: true });
}
