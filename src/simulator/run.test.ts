import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ShopEvent } from "../events/index.js";
import { runSimulator } from "./run.js";
import { createTrafficGenerator, generateEvents } from "./traffic.js";

describe("runSimulator", () => {
  it("sends rate × duration events, in order, in batches every interval", async () => {
    const received: ShopEvent[] = [];
    let batches = 0;
    const progress = await runSimulator({
      generator: createTrafficGenerator({ seed: 4 }),
      ratePerSec: 2_000,
      durationMs: 300,
      intervalMs: 50,
      sink: (events) => {
        batches++;
        received.push(...events);
      },
    });
    assert.equal(progress.sent, 600);
    assert.equal(received.length, 600);
    assert.deepEqual(received, generateEvents({ seed: 4 }, 600));
    // Six ticks of 50 ms; on a busy machine a late timer can land just before the next tick and add a
    // batch or two (9 seen in CI). What matters is batches of many events, not one send per event.
    assert.ok(batches >= 4 && batches <= 12, `${batches} batches`);
    assert.ok(progress.elapsedMs >= 280 && progress.elapsedMs < 1_000, `${progress.elapsedMs} ms`);
  });

  it("waits for a slow sink instead of piling up requests", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const progress = await runSimulator({
      generator: createTrafficGenerator({ seed: 4 }),
      ratePerSec: 1_000,
      durationMs: 200,
      sink: async () => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 30));
        inFlight--;
      },
    });
    assert.equal(maxInFlight, 1);
    assert.equal(progress.sent, 200);
  });

  it("stops after the batch in flight when aborted", async () => {
    const controller = new AbortController();
    let batches = 0;
    let handed = 0;
    const progress = await runSimulator({
      generator: createTrafficGenerator({ seed: 4 }),
      ratePerSec: 1_000,
      // Aborted while the third batch is in the sink: that batch completes, no fourth starts.
      sink: async (batch) => {
        handed += batch.length;
        if (++batches === 3) {
          controller.abort();
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      },
      signal: controller.signal,
    });
    assert.equal(batches, 3);
    assert.equal(progress.sent, handed);
  });

  it("stops at maxEvents", async () => {
    const progress = await runSimulator({ generator: createTrafficGenerator({ seed: 4 }), ratePerSec: 100_000, maxEvents: 50, sink: () => {} });
    assert.equal(progress.sent, 50);
  });

  it("rejects a rate that is not positive", async () => {
    await assert.rejects(runSimulator({ generator: createTrafficGenerator({ seed: 4 }), ratePerSec: 0, sink: () => {} }), RangeError);
  });
});
