// Starts a real pipeline and HTTP server on a free port in a temp data dir, for tests over real HTTP.
import type { TestContext } from "node:test";
import type { FastifyInstance } from "fastify";
import { parsePipelineConfig, type PipelineConfig } from "../config/index.js";
import { Pipeline } from "../pipeline/index.js";
import { createServer, serverUrl } from "../server/index.js";
import { makeTempDir, removeDir } from "./temp-dir.js";

export interface TestServer {
  url: string;
  dataDir: string;
  pipeline: Pipeline;
  server: FastifyInstance;
  /** graceful stop, as on SIGTERM */
  stop(): Promise<void>;
}

export async function startTestServer(
  t: TestContext,
  options: { yaml?: string; dataDir?: string; patch?: (config: PipelineConfig) => void } = {},
): Promise<TestServer> {
  const config = parsePipelineConfig(options.yaml ?? "simulator:\n  ratePerSec: 0\nserver:\n  port: 0\n");
  options.patch?.(config);
  // The server stops before its data dir goes: hooks run in the order they were registered.
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? makeTempDir();
  const pipeline = await Pipeline.open(config, dataDir);
  await pipeline.start();
  const server = await createServer(pipeline);
  await server.listen({ host: "127.0.0.1", port: 0 });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.close();
    await pipeline.stop();
  };
  t.after(async () => {
    await stop();
    if (ownDir) removeDir(dataDir);
  });
  return { url: serverUrl(server), dataDir, pipeline, server, stop };
}

/** Polls `probe` until it returns true or `timeoutMs` passes. */
export async function waitFor(probe: () => Promise<boolean> | boolean, timeoutMs = 15_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
