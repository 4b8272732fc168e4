// `shopstream up`: the whole pipeline in one process — ingest, stream, functions, lake, dashboard and the
// simulator. Ctrl-C or SIGTERM stops it gracefully; a second one exits at once.
import { dirname, resolve } from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { loadPipelineConfig, type PipelineConfig } from "../config/index.js";
import { parseRoles, ROLES, type Role } from "../cluster/index.js";
import { componentLogger } from "../monitor/index.js";
import { Pipeline } from "../pipeline/index.js";
import { createServer, exposureWarning, serverUrl } from "../server/index.js";
import { startBuiltinSimulator } from "./builtin-simulator.js";
import { action, parseIntegerOption, parseNumberOption } from "./errors.js";

interface UpOptions {
  port?: number;
  host?: string;
  dataDir: string;
  simulateRate?: number;
  config?: string;
  drainTimeout: number;
  role?: Role[];
  nodeId?: string;
}

export function applyUpOptions(config: PipelineConfig, options: UpOptions): PipelineConfig {
  return {
    ...config,
    server: { ...config.server, host: options.host ?? config.server.host, port: options.port ?? config.server.port },
    simulator: { ...config.simulator, ratePerSec: options.simulateRate ?? config.simulator.ratePerSec },
    roles: options.role ?? config.roles,
    node: { ...config.node, ...(options.nodeId !== undefined && { id: options.nodeId }) },
  };
}

export function registerUp(program: Command): void {
  program
    .command("up")
    .description("run the whole pipeline in one process: ingest, stream, functions, lake, dashboard and simulator")
    .option("--port <port>", "HTTP port (default 4566)", parseIntegerOption("--port", 0, 65535))
    .option("--host <host>", "address to bind (default 127.0.0.1)")
    .option("--data-dir <dir>", "where the stream, serving store and lake live", "./.shopstream")
    .option("--simulate-rate <n>", "simulated events per second; 0 for none (default 50)", parseNumberOption("--simulate-rate", 0, 1_000_000))
    .option("--config <file>", "pipeline config (YAML); without it the built-in default pipeline runs")
    .option("--role <roles>", `what this process runs, comma-separated: ${ROLES.join(", ")} (default: config roles, all of them)`, (text: string) => {
      try {
        return parseRoles(text);
      } catch (error) {
        throw new InvalidArgumentError((error as Error).message);
      }
    })
    .option("--node-id <id>", "this process's name among the cluster's (default: config node.id, else <hostname>-<pid>)")
    .option("--drain-timeout <seconds>", "on stop, how long to keep processing what was accepted", parseNumberOption("--drain-timeout", 0, 3600), 30)
    .action(
      action(async (options: UpOptions) => {
        const config = applyUpOptions(loadPipelineConfig(options.config), options);
        await runUp(config, options.dataDir, options.drainTimeout * 1000, options.config ? dirname(resolve(options.config)) : undefined);
      }),
    );
}

async function runUp(config: PipelineConfig, dataDir: string, drainTimeoutMs: number, configDir: string | undefined): Promise<void> {
  const log = componentLogger("up");
  const pipeline = await Pipeline.open(config, dataDir, configDir === undefined ? {} : { configDir });
  await pipeline.start();
  const server = await createServer(pipeline);
  await server.listen({ host: config.server.host, port: config.server.port });
  const exposure = exposureWarning(config.server.host, { apiKeys: config.server.auth.apiKeys.length, awsAccessKeys: config.aws.accessKeys?.length ?? 0 });
  if (exposure !== undefined) process.stderr.write(`shopstream: WARNING: ${exposure}\n`);
  const base = serverUrl(server);
  const simulator = config.simulator.ratePerSec > 0 && pipeline.topology.roles.has("ingest") ? startBuiltinSimulator(pipeline, config.simulator) : undefined;

  process.stdout.write(
    [
      "",
      `shopstream is up (data in ${dataDir})`,
      `  dashboard   ${base}/`,
      `  ingest      POST ${base}/v1/events   (JSON, JSON array or NDJSON)`,
      `  metrics     ${base}/metrics`,
      `  simulator   ${simulator ? `${config.simulator.ratePerSec} events/s` : "off"}`,
      ...(pipeline.topology.allInOne ? [] : [`  roles       ${[...pipeline.topology.roles].join(", ")} (node ${pipeline.topology.nodeId}${pipeline.topology.leases ? ", shards by lease" : ""})`]),
      `  query       npx shopstream query "select type, count(*) from events group by type" --data-dir ${dataDir}`,
      "Press Ctrl-C to stop.",
      "",
    ].join("\n"),
  );

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) {
        process.stderr.write("shopstream: stopping at once\n");
        process.exit(130);
      }
      stopping = true;
      process.stdout.write(`\n${signal}: processing what was accepted, flushing the lake and committing checkpoints…\n`);
      try {
        await simulator?.stop();
        await server.close();
        await pipeline.stop({ drainTimeoutMs });
        process.stdout.write("stopped cleanly\n");
      } catch (error) {
        log.error({ err: error }, "shutdown failed");
        process.exitCode = 1;
      }
      resolve();
    };
    process.on("SIGINT", () => void stop("SIGINT"));
    process.on("SIGTERM", () => void stop("SIGTERM"));
  });
}
