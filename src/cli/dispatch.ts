// `shopstream dispatch`: the truck dispatcher as a standalone, long-running consumer of a data dir's
// replenishment queue, sending its events to a running pipeline's POST /v1/events (--target). `up` runs
// the same dispatcher in process (unless dispatch.enabled is false); this command is for running it beside
// `up`, or against another host. The config's `dispatch` and `planning.queue` apply; options override them.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { loadPipelineConfig } from "../config/index.js";
import { NotFoundError, UnauthorizedError } from "../errors/index.js";
import { componentLogger } from "../monitor/index.js";
import { httpEventSink, TruckDispatcher } from "../planning/index.js";
import { SqliteQueue } from "../queue/index.js";
import { generateCatalog } from "../simulator/index.js";
import { apiKeyHeaders, apiKeyOption } from "./api-key-option.js";
import { action, parseIntegerOption, parseNumberOption } from "./errors.js";

interface DispatchOptions {
  dataDir: string;
  target: string;
  config?: string;
  queue?: string;
  speed: number;
  driveSpeedKmh?: number;
  truckCapacity?: number;
  trucksPerDepot?: number;
  apiKey?: string;
}

export function registerDispatch(program: Command): void {
  program
    .command("dispatch")
    .description("consume the replenishment queue: send trucks, simulate the drives, and emit truck and delivery events to --target")
    .option("--data-dir <dir>", "the data directory whose queue.db holds the replenishment queue", "./.shopstream")
    .option("--target <url>", "the pipeline whose POST /v1/events receives the events", "http://127.0.0.1:4566")
    .addOption(apiKeyOption("ingest"))
    .option("--config <file>", "pipeline config (YAML) whose simulator.catalogSeed names the stores and depots and whose dispatch section applies; default the built-in one")
    .option("--queue <name>", "the queue to consume (default planning.queue)")
    .option("--speed <factor>", "shop time per real time while trucks drive (the simulator's speed)", parseNumberOption("--speed", 0.001, 1_000_000), 1)
    .option("--drive-speed-kmh <kmh>", "average truck speed (default dispatch.driveSpeedKmh)", parseNumberOption("--drive-speed-kmh", 1, 200))
    .option("--truck-capacity <units>", "units one truck carries (default dispatch.truckCapacityUnits)", parseIntegerOption("--truck-capacity", 1, 1_000_000))
    .option("--trucks-per-depot <n>", "trucks at each depot (default dispatch.trucksPerDepot)", parseIntegerOption("--trucks-per-depot", 1, 10_000))
    .action(
      action(async (options: DispatchOptions) => {
        const queuePath = join(options.dataDir, "queue.db");
        if (!existsSync(queuePath)) throw new NotFoundError(`no queue at ${queuePath}: run \`shopstream up\` first, or pass --data-dir`);
        const config = loadPipelineConfig(options.config);
        const queueName = options.queue ?? config.planning.queue;
        const log = componentLogger("dispatch");
        const sink = httpEventSink(options.target, { headers: apiKeyHeaders(options.apiKey) });
        // A refused key fails now rather than at the first truck: an empty batch gets past the key check
        // only with a key ingest accepts (and is then refused as empty).
        await sink.ingest([]).catch((error: unknown) => {
          if (error instanceof UnauthorizedError) throw error;
        });
        let refused: UnauthorizedError | undefined;
        let stopWaiting = () => {};
        const queue = new SqliteQueue({ path: queuePath });
        const dispatcher = new TruckDispatcher({
          queue,
          queueName,
          sink,
          catalog: generateCatalog(config.simulator.catalogSeed),
          speedFactor: options.speed,
          driveSpeedKmh: options.driveSpeedKmh ?? config.dispatch.driveSpeedKmh,
          truckCapacityUnits: options.truckCapacity ?? config.dispatch.truckCapacityUnits,
          trucksPerDepot: options.trucksPerDepot ?? config.dispatch.trucksPerDepot,
          receiveWaitSec: config.dispatch.receiveWaitSec,
          maxInflightMessages: config.dispatch.maxInflightMessages,
          onDelivered: (storeId, productId, quantity) => log.info({ storeId, productId, quantity }, "delivered"),
          onError: (error, message) => {
            // A key refused later (rotated on the server) stops the command: every retry would be refused too.
            if (error instanceof UnauthorizedError) {
              refused ??= error;
              stopWaiting();
              return;
            }
            log.warn({ err: error, messageId: message?.messageId }, "dispatch failed; the message stays in the queue");
          },
        });
        await dispatcher.start();
        log.info({ queue: queueName, target: options.target }, "dispatching");
        await new Promise<void>((resolve) => {
          stopWaiting = resolve;
          process.once("SIGINT", resolve);
          process.once("SIGTERM", resolve);
        });
        await dispatcher.stop();
        await queue.close();
        if (refused) throw refused;
      }),
    );
}
