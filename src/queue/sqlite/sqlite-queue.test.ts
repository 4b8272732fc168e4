// SQLite-specific behaviour: what a send acknowledged survives kill -9 of the writing process, and a long
// poll sees messages that another process sends to the same file.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { it } from "node:test";
import { tempDir } from "../../test-support/temp-dir.js";
import { SqliteQueue } from "./sqlite-queue.js";

const moduleUrl = JSON.stringify(new URL("./sqlite-queue.ts", import.meta.url).href);

function nodeScript(script: string): string[] {
  return ["--import", "tsx", "--input-type=module", "-e", script];
}

it("acknowledged sends and receives survive kill -9 of the process", async (t) => {
  const path = join(tempDir(t), "queue.db");
  const script = `
    import { SqliteQueue } from ${moduleUrl};
    const q = new SqliteQueue({ path: ${JSON.stringify(path)} });
    await q.createQueue("plain");
    await q.createQueue("ordered.fifo", { contentBasedDeduplication: true });
    for (let i = 0; i < 200; i++) {
      await q.send("plain", Array.from({ length: 10 }, (_, j) => ({ body: "m" + (i * 10 + j) })));
    }
    await q.send("ordered.fifo", [{ body: "first", groupId: "g" }, { body: "second", groupId: "g" }]);
    const inFlight = await q.receive("plain", { maxMessages: 10, visibilityTimeoutSec: 600 });
    process.stdout.write("acked 2000, received " + inFlight.length + "\\n");
    process.kill(process.pid, "SIGKILL");
  `;
  const child = spawnSync(process.execPath, nodeScript(script), { encoding: "utf8" });
  assert.equal(child.signal, "SIGKILL", child.stderr);
  assert.match(child.stdout, /acked 2000, received 10/);

  const queue = new SqliteQueue({ path });
  t.after(() => queue.close());
  assert.deepEqual(await queue.counts("plain"), { visible: 1990, inFlight: 10, delayed: 0 });
  const [, duplicate, third] = await queue.send("ordered.fifo", [{ body: "x", groupId: "g" }, { body: "first", groupId: "g" }, { body: "third", groupId: "g" }]);
  assert.ok(duplicate && "messageId" in duplicate && third && "sequenceNumber" in third);
  const ordered = await queue.receive("ordered.fifo", { maxMessages: 10 });
  assert.deepEqual(ordered.map((m) => m.body), ["first", "second", "x", "third"], "order and the deduplication window survive");
  assert.equal(duplicate.messageId, ordered[0]!.messageId);
  assert.ok(BigInt(third.sequenceNumber!) > BigInt(ordered[1]!.attributes.SequenceNumber!), "sequence numbers go on increasing");
});

it("a long poll returns a message that another process sends", async (t) => {
  const path = join(tempDir(t), "queue.db");
  const queue = new SqliteQueue({ path, pollIntervalMs: 100 });
  t.after(() => queue.close());
  await queue.createQueue("shared");
  const start = performance.now();
  const polling = queue.receive("shared", { waitTimeSec: 10 });
  const sender = spawn(
    process.execPath,
    nodeScript(`
      import { SqliteQueue } from ${moduleUrl};
      const q = new SqliteQueue({ path: ${JSON.stringify(path)} });
      await q.send("shared", [{ body: "from another process" }]);
      await q.close();
    `),
    { stdio: "inherit" },
  );
  const senderExited = new Promise((resolve) => sender.once("exit", resolve));
  const [message] = await polling;
  assert.equal(message?.body, "from another process");
  assert.ok(performance.now() - start < 8000);
  await senderExited;
});
