// server.maxConnections over real sockets: past the limit a new connection is answered a 503 in the JSON
// error shape with Retry-After and closed, whichever protocol holds the slots (HTTP/1.1 keep-alive or an
// h2c session); a slot freed by a close serves the next client; refusals show in /metrics and are logged
// at most once a second.
import assert from "node:assert/strict";
import http2 from "node:http2";
import net from "node:net";
import { Writable } from "node:stream";
import { describe, it, type TestContext } from "node:test";
import { pino } from "pino";
import { parsePipelineConfig } from "../config/index.js";
import { startTestServer, waitFor } from "../test-support/server.js";
import { ConnectionLimit } from "./connection-limit.js";

const LIMIT_YAML = "simulator: { ratePerSec: 0 }\nserver: { port: 0, maxConnections: 3 }\n";

interface RawResponse {
  status: number;
  headers: Map<string, string>;
  body: string;
}

/** One client connection over a raw socket, so that a test decides when it opens, idles and closes. */
class RawConnection {
  #received = Buffer.alloc(0);
  #closed = false;
  #wake: (() => void) | undefined;

  private constructor(readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.#received = Buffer.concat([this.#received, chunk]);
      this.#wake?.();
    });
    socket.on("close", () => {
      this.#closed = true;
      this.#wake?.();
    });
    socket.on("error", () => {});
  }

  static open(url: string): Promise<RawConnection> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), hostname, () => resolve(new RawConnection(socket)));
      socket.once("error", reject);
    });
  }

  /** Sends a GET and reads its whole answer (which, over the limit, the server sent before any request). */
  async get(path: string, options: { close?: boolean } = {}): Promise<RawResponse> {
    const connection = options.close === true ? "close" : "keep-alive";
    if (this.socket.writable) this.socket.write(`GET ${path} HTTP/1.1\r\nHost: shopstream.test\r\nConnection: ${connection}\r\n\r\n`);
    for (;;) {
      const response = this.#takeResponse();
      if (response !== undefined) return response;
      if (this.#closed) throw new Error(`the connection closed before a whole answer: ${JSON.stringify(this.#received.toString("latin1"))}`);
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  close(): void {
    this.socket.destroy();
  }

  #takeResponse(): RawResponse | undefined {
    const headEnd = this.#received.indexOf("\r\n\r\n");
    if (headEnd < 0) return undefined;
    const [statusLine = "", ...lines] = this.#received.subarray(0, headEnd).toString("latin1").split("\r\n");
    const headers = new Map(lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
    const length = Number(headers.get("content-length"));
    assert.ok(Number.isInteger(length), `a Content-Length in ${statusLine}`);
    const end = headEnd + 4 + length;
    if (this.#received.length < end) return undefined;
    const body = this.#received.subarray(headEnd + 4, end).toString("utf8");
    this.#received = this.#received.subarray(end);
    return { status: Number(statusLine.split(" ")[1]), headers, body };
  }
}

/** The value of an unlabelled series in Prometheus text, 0 when absent. */
function metricValue(text: string, name: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
}

/** Counts the refusals a test sees, to compare with what the server counted. */
class Client {
  refusals = 0;
  constructor(readonly url: string) {}

  /** A request on a new connection that closes after it. */
  async getOnce(path: string): Promise<RawResponse> {
    const connection = await RawConnection.open(this.url);
    try {
      const response = await connection.get(path, { close: true });
      if (response.status === 503) this.refusals += 1;
      return response;
    } finally {
      connection.close();
    }
  }

  /** An idle keep-alive connection that has answered one request. A slot another test client just closed
   * may not be free yet on the server's side, so a refusal is retried (and counted). */
  async hold(t: TestContext): Promise<RawConnection> {
    let held: RawConnection | undefined;
    await waitFor(async () => {
      const connection = await RawConnection.open(this.url);
      const response = await connection.get("/healthz");
      if (response.status === 200) {
        held = connection;
        return true;
      }
      this.refusals += 1;
      connection.close();
      return false;
    }, 5_000, "a free connection slot");
    t.after(() => held!.close());
    return held!;
  }
}

describe("server.maxConnections", () => {
  it("answers a connection over the limit 503 with Retry-After and serves again once a slot is freed", async (t) => {
    const server = await startTestServer(t, { yaml: LIMIT_YAML });
    const client = new Client(server.url);
    const refusedBefore = metricValue((await client.getOnce("/metrics")).body, "shopstream_server_connections_refused_total");
    const held = [await client.hold(t), await client.hold(t), await client.hold(t)];

    const refused = await client.getOnce("/healthz");
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get("retry-after"), "1");
    assert.match(refused.headers.get("content-type") ?? "", /^application\/json\b/);
    assert.equal(refused.headers.get("connection"), "close");
    const body = JSON.parse(refused.body) as { error: { code: string; message: string } };
    assert.deepEqual(Object.keys(body), ["error"]);
    assert.deepEqual(Object.keys(body.error), ["code", "message"]);
    assert.equal(body.error.code, "unavailable");
    assert.match(body.error.message, /limit of 3 open connections \(server\.maxConnections\)/);

    // The held connections are served as before, and /metrics over one of them shows what the client saw.
    const metrics = await held[0]!.get("/metrics");
    assert.equal(metrics.status, 200);
    assert.equal(metricValue(metrics.body, "shopstream_server_connections_refused_total") - refusedBefore, client.refusals);
    assert.equal(metricValue(metrics.body, "shopstream_server_open_connections"), 3, "refused connections hold no slot");

    held[1]!.close();
    await waitFor(async () => (await client.getOnce("/healthz")).status === 200, 5_000, "the freed slot to serve a new connection");
  });

  it("counts h2c sessions against the same limit", async (t) => {
    const server = await startTestServer(t, { yaml: LIMIT_YAML });
    const client = new Client(server.url);
    await client.hold(t);
    await client.hold(t);
    const session = http2.connect(server.url);
    session.on("error", () => {});
    t.after(() => session.destroy());
    const status = await new Promise<number>((resolve, reject) => {
      const stream = session.request({ ":path": "/healthz" });
      stream.on("response", (headers) => resolve(Number(headers[":status"])));
      stream.on("error", reject);
      stream.resume();
    });
    assert.equal(status, 200, "the h2c session took the third slot");

    assert.equal((await client.getOnce("/healthz")).status, 503);
    session.close();
    await waitFor(async () => (await client.getOnce("/healthz")).status === 200, 5_000, "the h2c session's slot to be freed");
  });

  it("logs refusals at most once a second, with how many there were", async (t) => {
    const lines: Array<{ msg: string; refused: number; maxConnections: number }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString("utf8")));
        done();
      },
    });
    const limit = new ConnectionLimit({ maxConnections: 1, log: pino({ level: "warn" }, sink) });
    const server = net.createServer({ pauseOnConnect: true }, (socket) => {
      if (limit.admit(socket)) socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    t.after(() => {
      limit.closeRefused();
      server.close();
    });
    const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const held = await RawConnection.open(url);
    t.after(() => held.close());
    await waitFor(() => limit.open === 1, 5_000, "the held connection to take the slot");

    const client = new Client(url);
    await Promise.all(Array.from({ length: 20 }, () => client.getOnce("/")));
    assert.equal(client.refusals, 20);
    assert.equal(lines.length, 1, "one line for a burst of refusals");
    assert.equal(lines[0]!.refused, 1);
    assert.equal(lines[0]!.maxConnections, 1);

    await new Promise((resolve) => setTimeout(resolve, 1_050));
    await client.getOnce("/");
    assert.equal(lines.length, 2);
    assert.equal(lines[1]!.refused, 20, "the refusals since the last line, none lost");
  });

  it("defaults to 1024 and takes no 0 for 'unlimited'", () => {
    assert.equal(parsePipelineConfig("").server.maxConnections, 1024);
    assert.throws(() => parsePipelineConfig("server:\n  maxConnections: 0\n", "pipeline.yaml"), {
      name: "ConfigError",
      message: "pipeline.yaml:2:3 server.maxConnections: expected an integer from 1 to 1000000, got 0",
    });
  });
});
