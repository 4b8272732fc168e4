// The server's one port speaks HTTP/1.1 and cleartext HTTP/2 (prior knowledge), so clients that default
// to HTTP/2 (the AWS SDK v3's Kinesis client) work with only the endpoint set; the live feed, keep-alive
// and a graceful close keep working.
import assert from "node:assert/strict";
import http from "node:http";
import http2 from "node:http2";
import { describe, it } from "node:test";
import { ListStreamsCommand } from "@aws-sdk/client-kinesis";
import { startTestServer } from "../../src/test-support/server.js";
import { kinesisClient, shopEvent } from "./aws-test-clients.js";

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: string;
}

function h2Request(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers);
    let status = 0;
    let responseHeaders: Record<string, unknown> = {};
    const chunks: Buffer[] = [];
    stream.on("response", (received) => {
      status = Number(received[":status"]);
      responseHeaders = received;
    });
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve({ status, headers: responseHeaders, body: Buffer.concat(chunks).toString("utf8") }));
    stream.on("error", reject);
    stream.end(body);
  });
}

function h1Request(url: string, options: http.RequestOptions & { body?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, options, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    request.on("error", reject);
    request.end(options.body);
  });
}

describe("HTTP/1.1 and cleartext HTTP/2 on one port", () => {
  it("answers HTTP/2 with prior knowledge and HTTP/1.1 with keep-alive", async (t) => {
    const server = await startTestServer(t);

    const session = http2.connect(server.url);
    t.after(() => session.destroy());
    const health = await h2Request(session, { ":method": "GET", ":path": "/healthz" });
    assert.equal(health.status, 200);
    assert.deepEqual(JSON.parse(health.body), { status: "ok" });
    // Several streams on one session, one of them an ingest POST.
    const [ingested, stats] = await Promise.all([
      h2Request(session, { ":method": "POST", ":path": "/v1/events", "content-type": "application/json" }, JSON.stringify(shopEvent())),
      h2Request(session, { ":method": "GET", ":path": "/v1/stats" }),
    ]);
    assert.equal(ingested.status, 200, ingested.body);
    assert.equal(stats.status, 200);

    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    t.after(() => agent.destroy());
    const sockets = new Set<unknown>();
    for (let i = 0; i < 3; i++) {
      const answer = await h1Request(`${server.url}/healthz`, { agent });
      assert.equal(answer.status, 200);
      sockets.add(Object.values(agent.freeSockets)[0]?.[0]);
    }
    assert.equal(sockets.size, 1, "the keep-alive connection is reused");
    const posted = await h1Request(`${server.url}/v1/events`, { method: "POST", agent, headers: { "content-type": "application/json" }, body: JSON.stringify(shopEvent()) });
    assert.equal(posted.status, 200, posted.body);
  });

  it("serves the live feed over both protocols and closes with streams open", async (t) => {
    const server = await startTestServer(t);
    const session = http2.connect(server.url);
    t.after(() => session.destroy());
    const h2Frame = await new Promise<string>((resolve, reject) => {
      const stream = session.request({ ":method": "GET", ":path": "/v1/live" });
      stream.on("data", (chunk: Buffer) => resolve(chunk.toString("utf8")));
      stream.on("error", reject);
    });
    assert.match(h2Frame, /^event: stats\ndata: \{/);
    const h1Frame = await new Promise<string>((resolve, reject) => {
      http.get(`${server.url}/v1/live`, (response) => response.once("data", (chunk: Buffer) => resolve(chunk.toString("utf8")))).on("error", reject);
    });
    assert.match(h1Frame, /^event: stats\ndata: \{/);
    // Both feeds stay open; a graceful close still ends promptly.
    const started = Date.now();
    await server.server.close();
    assert.ok(Date.now() - started < 5000);
  });

  it("lets the v3 Kinesis client use its default HTTP/2 handler", async (t) => {
    const server = await startTestServer(t);
    const listed = await kinesisClient(server.url).send(new ListStreamsCommand({}));
    assert.ok(listed.StreamNames?.includes("events"));
  });
});
