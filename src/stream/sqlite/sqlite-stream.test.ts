// SQLite-specific durability: what a put acknowledged survives the process being killed with SIGKILL.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { it } from "node:test";
import { tempDir } from "../../test-support/temp-dir.js";
import { SqliteStream } from "./sqlite-stream.js";

it("an acknowledged append survives kill -9 of the writing process", async (t) => {
  const path = join(tempDir(t), "stream.db");
  const script = `
    import { SqliteStream } from ${JSON.stringify(new URL("./sqlite-stream.ts", import.meta.url).href)};
    const s = new SqliteStream({ path: ${JSON.stringify(path)} });
    await s.createStream("s", { shardCount: 2 });
    for (let i = 0; i < 20; i++) {
      await s.putRecords("s", Array.from({ length: 100 }, (_, j) => ({ partitionKey: "k" + j, data: Buffer.from(String(i * 100 + j)) })));
    }
    process.stdout.write("acked 2000\\n");
    process.kill(process.pid, "SIGKILL");
  `;
  const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(child.signal, "SIGKILL");
  assert.match(child.stdout, /acked 2000/);
  const stream = new SqliteStream({ path });
  t.after(() => stream.close());
  let total = 0;
  for (const shard of (await stream.describeStream("s")).shards) total += await stream.countAfter("s", shard.shardId, undefined);
  assert.equal(total, 2000);
});
