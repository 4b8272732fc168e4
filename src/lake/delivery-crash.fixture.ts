// A lake delivery in a process of its own, for the crash test to kill -9 in the middle of its work.
// Usage: node --import tsx delivery-crash.fixture.ts <stream.db> <lake dir> <staging dir> <buffer bytes>
import { SqliteStream } from "../stream/index.js";
import { LakeDelivery, LocalObjectStore } from "./index.js";
import { curatedConfig } from "./test-lake.js";

const [streamPath, lakeDir, stagingDir, bufferBytes] = process.argv.slice(2);
if (!streamPath || !lakeDir || !stagingDir || !bufferBytes) throw new Error("usage: <stream.db> <lake dir> <staging dir> <buffer bytes>");
const stream = new SqliteStream({ path: streamPath });
const delivery = new LakeDelivery({
  name: "curated",
  config: curatedConfig({ bufferSizeBytes: Number(bufferBytes) }),
  stream,
  store: new LocalObjectStore(lakeDir),
  stagingDir,
});
await delivery.start();
process.stdout.write("started\n");
// Runs until killed.
setInterval(() => undefined, 60_000);
