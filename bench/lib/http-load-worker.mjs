// Load generator in its own thread (its own core on a 2-core machine): `concurrency` keep-alive clients
// POST the given bodies round-robin and record each request's latency until every body is sent.
import http from "node:http";
import { parentPort, workerData } from "node:worker_threads";

const { url, bodies, concurrency, contentType } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL(url);
const latenciesMs = [];
let next = 0;
let accepted = 0;
let rejected = 0;
let throttled = 0;

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

async function client() {
  while (next < bodies.length) {
    const body = bodies[next++];
    for (;;) {
      const start = performance.now();
      const res = await post(Buffer.from(body));
      if (res.status === 429 || res.status === 503) {
        throttled++;
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      latenciesMs.push(performance.now() - start);
      const parsed = JSON.parse(res.body);
      accepted += parsed.accepted ?? 0;
      rejected += parsed.rejected ?? 0;
      break;
    }
  }
}

const start = performance.now();
await Promise.all(Array.from({ length: concurrency }, client));
parentPort.postMessage({ elapsedMs: performance.now() - start, latenciesMs, accepted, rejected, throttled });
agent.destroy();
