// Load generator in its own process (its own core on a 2-core machine, and its memory not counted in the
// bench process's RSS), started by runHttpLoad with the options as its first IPC message: `concurrency` keep-alive clients
// POST the bodies of the file at `bodiesPath` (writeBodiesFile, measure.ts) and record each request's latency. Without a rate, they send every body once, as
// fast as the server answers. With `ratePerSec` (events/s, `eventsPerBody` per body), request k is due at
// k × eventsPerBody / ratePerSec seconds and its latency runs from when it was due, so a server that falls
// behind shows it (no coordinated omission); with `durationMs` the clients cycle through the bodies until
// then, and with `rewrite` every pass replaces `rewrite.from` in the bodies by `rewrite.to` with "{pass}"
// in it replaced by the pass number, so the ids of each pass are new events. With `reportAcceptance`, each answered request is posted
// to the parent as { type: "accepted", body, pass, atMs } the moment its answer arrives.
import { readFileSync } from "node:fs";
import http from "node:http";

const options = await new Promise((resolve) => process.once("message", resolve));
const { url, concurrency, contentType, ratePerSec, eventsPerBody, durationMs, rewrite, reportAcceptance } = options;
const bodies = readBodiesFile(options.bodiesPath);
const send = (message) => new Promise((resolve) => process.send(message, resolve));
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL(url);
const latenciesMs = [];
const intervalMs = ratePerSec ? ((eventsPerBody ?? 1) * 1000) / ratePerSec : 0;
const texts = rewrite ? bodies.map((body) => Buffer.from(body).toString("utf8")) : undefined;
let next = 0;
let accepted = 0;
let rejected = 0;
let throttled = 0;
let passes = 0;

/** The bodies of a file written by writeBodiesFile (measure.ts): each its length (4 bytes, little-endian), then its bytes. */
function readBodiesFile(path) {
  const file = readFileSync(path);
  const list = [];
  for (let offset = 0; offset < file.byteLength; ) {
    const length = file.readUInt32LE(offset);
    list.push(file.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return list;
}

function post(body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: target.hostname, port: target.port, path: target.pathname, method: "POST", agent, headers: { "content-type": contentType, "content-length": body.byteLength } },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** The k-th request's body and pass, or undefined when the run is over. */
function take(k, start) {
  if (durationMs === undefined) return k < bodies.length ? { index: k, pass: 0, body: Buffer.from(bodies[k]) } : undefined;
  if (intervalMs > 0 ? k * intervalMs >= durationMs : performance.now() - start >= durationMs) return undefined;
  const index = k % bodies.length;
  const pass = Math.floor(k / bodies.length) + (rewrite?.firstPass ?? 0);
  passes = Math.max(passes, pass + 1);
  const body = texts ? Buffer.from(texts[index].replaceAll(rewrite.from, rewrite.to.replaceAll("{pass}", String(pass)))) : Buffer.from(bodies[index]);
  return { index, pass, body };
}

async function client(start) {
  for (;;) {
    const k = next++;
    const request = take(k, start);
    if (request === undefined) return;
    const dueAt = start + k * intervalMs;
    if (intervalMs > 0 && dueAt > performance.now()) await new Promise((r) => setTimeout(r, dueAt - performance.now()));
    const sentAt = intervalMs > 0 ? dueAt : performance.now();
    for (;;) {
      const res = await post(request.body);
      if (res.status === 429 || res.status === 503) {
        throttled++;
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      latenciesMs.push(performance.now() - sentAt);
      if (reportAcceptance) void send({ type: "accepted", body: request.index, pass: request.pass, atMs: Date.now() });
      const parsed = JSON.parse(res.body);
      accepted += parsed.accepted ?? 0;
      rejected += parsed.rejected ?? 0;
      break;
    }
  }
}

const start = performance.now();
await Promise.all(Array.from({ length: concurrency }, () => client(start)));
agent.destroy();
await send({ type: "done", elapsedMs: performance.now() - start, latenciesMs, accepted, rejected, throttled, passes });
process.disconnect();
