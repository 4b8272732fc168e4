// `shopstream dispatch`: the truck dispatcher as a standalone, long-running consumer of a data dir's
// replenishment queue, sending its events to a running pipeline's POST /v1/events (--target). `up` runs
// the same dispatcher in process; this command is for running it beside `up`, or against another host.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { loadPipelineConfig } from "../config/index.js";
import { NotFoundError } from "../errors/index.js";
import { componentLogger } from "../monitor/index.js";
import { httpEventSink, TruckDispatcher } from "../planning/index.js";
import { SqliteQueue } from "../queue/index.js";
import { generateCatalog } from "../simulator/index.js";
import { action, parseIntegerOption, parseNumberOption } from "./errors.js";

interface DispatchOptions {
  dataDir: string;
  target: string;
  config?: string;
  queue: string;
  speed: number;
  driveSpeedKmh: number;
  truckCapacity: number;
  trucksPerDepot: number;
}

export function registerDispatch(program: Command): void {
  program
    .command("dispatch")
    .description("consume the replenishment queue: send trucks, simulate the drives, and emit truck and delivery events to --target")
    .option("--data-dir <dir>", "the data directory whose queue.db holds the replenishment queue", "./.shopstream")
    .option("--target <url>", "the pipeline whose POST /v1/events receives the events", "http://127.0.0.1:4566")
    .option("--config <file>", "pipeline config (YAML) whose simulator.catalogSeed names the stores and depots; default the built-in one")
    .option("--queue <name>", "the queue to consume", "replenishment")
    .option("--speed <factor>", "shop time per real time while trucks drive (the simulator's speed)", parseNumberOption("--speed", 0.001, 1_000_000), 1)
    .option("--drive-speed-kmh <kmh>", "average truck speed", parseNumberOption("--drive-speed-kmh", 1, 200), 50)
    .option("--truck-capacity <units>", "units one truck carries", parseIntegerOption("--truck-capacity", 1, 1_000_000), 2000)
    .option("--trucks-per-depot <n>", "trucks at each depot", parseIntegerOption("--trucks-per-depot", 1, 10_000), 4)
    .action(
      action(async (options: DispatchOptions) => {
        const queuePath = join(options.dataDir, "queue.db");
        if (!existsSync(queuePath)) throw new NotFoundError(`no queue at ${queuePath}: run \`shopstream up\` first, or pass --data-dir`);
        const log = componentLogger("dispatch");
        const queue = new SqliteQueue({ path: queuePath });
        const dispatcher = new TruckDispatcher({
          queue,
          queueName: options.queue,
          sink: httpEventSink(options.target),
          catalog: generateCatalog(loadPipelineConfig(options.config).simulator.catalogSeed),
          speedFactor: options.speed,
          driveSpeedKmh: options.driveSpeedKmh,
          truckCapacityUnits: options.truckCapacity,
          trucksPerDepot: options.trucksPerDepot,
          onDelivered: (storeId, productId, quantity) => log.info({ storeId, productId, quantity }, "delivered"),
          onError: (error, message) => log.warn({ err: error, messageId: message?.messageId }, "dispatch failed; the message stays in the queue"),
        });
        await dispatcher.start();
        log.info({ queue: options.queue, target: options.target }, "dispatching");
        await new Promise<void>((resolve) => {
          process.once("SIGINT", resolve);
          process.once("SIGTERM", resolve);
        });
        await dispatcher.stop();
        await queue.close();
      }),
    );
}
