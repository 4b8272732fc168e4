// Runs the shopstream command from the sources (as `npx shopstream` would, without a build), for tests
// that drive the real CLI: its arguments, output, exit codes and signals.
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../cli/main.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export function runCli(args: string[], options: { cwd?: string; input?: string } = {}) {
  const result = spawnSync(process.execPath, ["--import", "tsx", MAIN, ...args], {
    cwd: options.cwd ?? ROOT,
    encoding: "utf8",
    input: options.input,
    env: { ...process.env, NODE_ENV: "test" },
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * runCli without blocking: for a CLI run against a server this test process serves (spawnSync would stop
 * the server answering). `env` is added to the test's environment.
 */
export function runCliAsync(args: string[], options: { env?: Record<string, string> } = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", MAIN, ...args],
      { cwd: ROOT, env: { ...process.env, NODE_ENV: "test", ...options.env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ status: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

export interface RunningUp {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** resolves with the exit code (or signal) */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `shopstream up` on a free port and resolves once it prints its URLs. */
export async function startUp(args: string[]): Promise<RunningUp> {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, "up", "--port", "0", ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "test" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (chunk) => (out += chunk));
  child.stderr!.on("data", (chunk) => (out += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`shopstream up did not start:\n${out}`)), 30_000);
    const check = () => {
      const match = /dashboard\s+(http:\/\/[^/\s]+)\//.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on("data", check);
    void exited.then(() => reject(new Error(`shopstream up exited early:\n${out}`)));
  });
  return { child, url, output: () => out, exited };
}
