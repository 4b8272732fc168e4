// A private nats-server with JetStream for tests that restart it: spawned from the nats-server binary on
// the PATH on a free loopback port, its store in a temp dir, restartable on the same port and store.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { freePort } from "./tcp-proxy.js";
import { makeTempDir, removeDir } from "./temp-dir.js";

const START_TIMEOUT_MS = 20_000;

export interface NatsTestServer {
  /** host:port to give as servers */
  servers: string;
  /** graceful restart (SIGTERM, which flushes JetStream's store, then the same port and store dir) */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Whether the nats-server binary runs here. */
export function natsServerBinary(): string | undefined {
  const binary = process.env["NATS_SERVER_BIN"] ?? "nats-server";
  const probe = spawnSync(binary, ["--version"], { encoding: "utf8" });
  return probe.status === 0 ? binary : undefined;
}

export async function startNatsServer(): Promise<NatsTestServer> {
  const binary = natsServerBinary();
  if (!binary) throw new Error("nats-server is not on the PATH");
  const storeDir = makeTempDir("shopstream-nats-");
  const port = await freePort();
  const servers = `127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn(binary, ["-js", "-sd", storeDir, "-a", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
    let output = "";
    child.stderr!.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      try {
        const nc = await connect({ servers, reconnect: false, timeout: 1000 });
        try {
          await (await jetstreamManager(nc, { timeout: 2000 })).getAccountInfo();
          return;
        } finally {
          await nc.close();
        }
      } catch (error) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`nats-server did not start: ${(error as Error).message}\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  const terminate = async () => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGTERM");
    await exited;
  };
  await launch();
  return {
    servers,
    async restart(downMs = 0) {
      await terminate();
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      await launch();
    },
    async stop() {
      await terminate();
      removeDir(storeDir);
    },
  };
}
