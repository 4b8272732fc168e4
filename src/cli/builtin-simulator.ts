// The simulator inside `shopstream up`: live traffic that goes straight into ingest, in process, with the
// same validation and durability as HTTP. A throttled batch waits and is retried, never dropped.
import { setTimeout as sleep } from "node:timers/promises";
import { ThrottledError } from "../errors/index.js";
import { componentLogger } from "../monitor/index.js";
import type { Pipeline } from "../pipeline/index.js";
import { createTrafficGenerator, generateCatalog, runSimulator } from "../simulator/index.js";
import type { ShopEvent } from "../events/index.js";

export interface BuiltinSimulatorOptions {
  ratePerSec: number;
  seed: number;
  speed: number;
  catalogSeed: number;
  /** labelled fraud cases per shopper session (0 for none) */
  fraudRate: number;
}

export function startBuiltinSimulator(pipeline: Pipeline, options: BuiltinSimulatorOptions): { stop(): Promise<void> } {
  const log = componentLogger("simulator");
  const controller = new AbortController();
  const generator = createTrafficGenerator({
    seed: options.seed,
    catalog: generateCatalog(options.catalogSeed),
    startMs: Date.now(),
    speed: options.speed,
    ratePerSec: options.ratePerSec,
    fraudRate: options.fraudRate,
  });
  const sink = async (events: ShopEvent[]) => {
    for (;;) {
      try {
        await pipeline.ingest.ingest(events.map((value) => ({ ok: true as const, value })));
        return;
      } catch (error) {
        if (!(error instanceof ThrottledError) || controller.signal.aborted) throw error;
        await sleep(error.retryAfterMs);
      }
    }
  };
  // Deliveries the truck dispatcher made go back on the simulator's shelves, so its snapshots show them.
  const onDelivered = (storeId: string, productId: string, quantity: number) => generator.applyReplenishment(storeId, productId, quantity);
  pipeline.deliveries.on("delivered", onDelivered);
  const done = runSimulator({ generator, ratePerSec: options.ratePerSec, sink, signal: controller.signal }).catch((error) => {
    if (!controller.signal.aborted) log.error({ err: error }, "simulator stopped");
  });
  return {
    async stop() {
      controller.abort();
      await done;
      pipeline.deliveries.off("delivered", onDelivered);
    },
  };
}
