import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import { HttpSinkError, httpSink } from "./http-sink.js";
import { generateEvents } from "./traffic.js";

interface Received {
  body: string;
  headers: IncomingHttpHeaders;
  url: string;
}

/** A real HTTP server whose answers the test scripts, one handler call per request. */
async function startServer(answer: (request: Received, index: number, response: ServerResponse) => void) {
  const requests: Received[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (body += chunk));
    request.on("end", () => {
      const received = { body, headers: request.headers, url: request.url ?? "" };
      requests.push(received);
      answer(received, requests.length - 1, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  after(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const acceptAll = (request: Received, _index: number, response: ServerResponse) => {
  const count = request.body.split("\n").filter(Boolean).length;
  response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ accepted: count, rejected: 0, results: [] }));
};

describe("httpSink", () => {
  const events = generateEvents({ seed: 7 }, 2_500);

  it("POSTs NDJSON to /v1/events in requests of at most maxEventsPerRequest", async () => {
    const server = await startServer(acceptAll);
    const sink = httpSink(server.url, { maxEventsPerRequest: 1_000 });
    await sink(events);
    assert.equal(server.requests.length, 3);
    assert.equal(server.requests[0]?.url, "/v1/events");
    assert.equal(server.requests[0]?.headers["content-type"], "application/x-ndjson");
    const lines = server.requests.flatMap((request) => request.body.split("\n").filter(Boolean));
    assert.deepEqual(lines.map((line) => JSON.parse(line)), events);
    assert.equal(sink.stats.accepted, 2_500);
    assert.equal(sink.stats.rejected, 0);
  });

  it("waits out 429 and 503 as Retry-After says and resends the very same batch", async () => {
    const server = await startServer((request, index, response) => {
      if (index === 0) return response.writeHead(429, { "retry-after": "0" }).end();
      if (index === 1) return response.writeHead(503, { "retry-after": "0" }).end();
      acceptAll(request, index, response);
    });
    const sink = httpSink(server.url);
    await sink(events.slice(0, 10));
    assert.equal(server.requests.length, 3);
    assert.equal(server.requests[2]?.body, server.requests[0]?.body);
    assert.equal(sink.stats.retries, 2);
    assert.equal(sink.stats.accepted, 10);
  });

  it("counts per-event rejections from a 400 answer and does not resend", async () => {
    const server = await startServer((request, _index, response) => {
      const count = request.body.split("\n").filter(Boolean).length;
      const results = Array.from({ length: count }, (_, i) =>
        i === 1 ? { error: { code: "invalid_payload", message: "payload.total: expected number" } } : { sequence_number: String(i) },
      );
      response.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ accepted: count - 1, rejected: 1, results }));
    });
    const sink = httpSink(server.url);
    await sink(events.slice(0, 5));
    assert.equal(server.requests.length, 1);
    assert.equal(sink.stats.accepted, 4);
    assert.equal(sink.stats.rejected, 1);
    assert.deepEqual(sink.stats.sampleRejections, [`${events[1]?.event_id}: invalid_payload: payload.total: expected number`]);
  });

  it("gives up with a clear error on answers that retrying cannot fix", async () => {
    const server = await startServer((_request, _index, response) => {
      response.writeHead(413, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "payload_too_large", message: "body too large" } }));
    });
    await assert.rejects(httpSink(server.url)(events.slice(0, 3)), (error: unknown) => {
      assert.ok(error instanceof HttpSinkError);
      assert.match(error.message, /answered 413: body too large/);
      return true;
    });
  });

  it("retries server errors a few times, then fails", async () => {
    const server = await startServer((_request, _index, response) => response.writeHead(500).end("boom"));
    await assert.rejects(httpSink(server.url, { maxTransientAttempts: 2 })(events.slice(0, 3)), /answered 500: boom/);
    assert.equal(server.requests.length, 2);
  });

  it("reports an unreachable server", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    await assert.rejects(httpSink(`http://127.0.0.1:${port}`, { maxTransientAttempts: 1 })(events.slice(0, 1)), /cannot reach .*ECONNREFUSED/);
  });
});
