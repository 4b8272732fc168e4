// One port, two protocols: HTTP/1.1 and cleartext HTTP/2 with prior knowledge (h2c, what the AWS SDK for
// JavaScript v3's default NodeHttp2Handler speaks to an http:// endpoint). A plain net.Server looks at the
// first bytes of each connection: the HTTP/2 client preface goes to an http2 server, anything else to an
// http server, and both hand requests to Fastify's one handler (Fastify's request and reply work over
// HTTP/2's compatibility API).
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import http2, { type Http2ServerRequest, type Http2ServerResponse } from "node:http2";
import net, { type Socket } from "node:net";
import type { ConnectionLimit } from "./connection-limit.js";

/** What every HTTP/2 connection starts with (RFC 9113 §3.4). */
const HTTP2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/** How long a new connection may stay silent before it is closed (Node's default headersTimeout). */
const FIRST_BYTES_TIMEOUT_MS = 60_000;

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

interface DualProtocolServer extends net.Server {
  /** ends every connection of both protocols (Fastify's forceCloseConnections calls it on close) */
  closeAllConnections(): void;
  /** ends the connections with no request in flight */
  closeIdleConnections(): void;
}

/** Fastify's server options that apply here (Fastify passes all of its options to a serverFactory). */
export interface ListenerOptions {
  keepAliveTimeout?: number;
  requestTimeout?: number;
  connectionTimeout?: number;
  http2SessionTimeout?: number;
  /** bounds the connections of both protocols together; none when absent */
  connectionLimit?: ConnectionLimit;
}

/**
 * A Fastify `serverFactory`: `Fastify({ serverFactory: (handler, options) => dualProtocolServer(handler, options) })`.
 * Connections are sorted by their first bytes, which are put back before the chosen server reads them.
 * Typed as an http.Server, as Fastify's HTTP/1.1 typings expect: Fastify uses only what a net.Server
 * has plus closeAllConnections/closeIdleConnections, and HTTP/2's compatibility request and response
 * stand in for http's.
 */
export function dualProtocolServer(handler: Handler, options: ListenerOptions = {}): http.Server {
  const http1 = http.createServer(handler);
  // The timeouts Fastify sets on a server it makes itself.
  if (options.keepAliveTimeout !== undefined) http1.keepAliveTimeout = options.keepAliveTimeout;
  if (options.requestTimeout !== undefined) http1.requestTimeout = options.requestTimeout;
  if (options.connectionTimeout !== undefined) http1.setTimeout(options.connectionTimeout);
  const h2 = http2.createServer((request: Http2ServerRequest, response: Http2ServerResponse) => {
    // HTTP/2 carries the host in :authority (RFC 9113 §8.3.1); the app (Signature V4's signed `host`
    // header, SQS's queue URLs) reads it as HTTP/1.1's Host, as a gateway to HTTP/1.1 would.
    const authority = request.headers[":authority"];
    if (request.headers.host === undefined && typeof authority === "string") request.headers.host = authority;
    handler(request as unknown as IncomingMessage, response as unknown as ServerResponse);
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  /** sockets still being sorted */
  const sorting = new Set<Socket>();
  h2.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    // Idle sessions end as HTTP/1.1 keep-alive connections do.
    session.setTimeout(options.http2SessionTimeout ?? 72_000, () => session.close());
  });

  const server = net.createServer({ pauseOnConnect: true }, (socket) => {
    // Before a byte is read: a connection over the limit is answered and ended, not sorted.
    if (options.connectionLimit?.admit(socket) === false) return;
    sorting.add(socket);
    let seen = Buffer.alloc(0);
    const sort = (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      const prefix = seen.subarray(0, HTTP2_PREFACE.length);
      const isHttp2 = HTTP2_PREFACE.subarray(0, prefix.length).equals(prefix);
      // Undecided until the preface is complete or a byte differs from it.
      if (isHttp2 && seen.length < HTTP2_PREFACE.length) return;
      socket.off("data", sort);
      socket.off("close", forget);
      socket.setTimeout(0);
      sorting.delete(socket);
      socket.pause();
      socket.unshift(seen);
      (isHttp2 ? h2 : http1).emit("connection", socket);
      // The chosen server has attached its readers; the bytes put back reach them first.
      process.nextTick(() => socket.resume());
    };
    const forget = () => sorting.delete(socket);
    socket.on("data", sort);
    socket.once("close", forget);
    // A connection that never says anything is not kept forever (the servers' own timeouts start later).
    socket.setTimeout(FIRST_BYTES_TIMEOUT_MS, () => socket.destroy());
    socket.on("error", () => socket.destroy());
    socket.resume();
  }) as DualProtocolServer;

  server.closeAllConnections = () => {
    http1.closeAllConnections();
    for (const session of sessions) session.destroy();
    for (const socket of sorting) socket.destroy();
    options.connectionLimit?.closeRefused();
  };
  server.closeIdleConnections = () => {
    http1.closeIdleConnections();
    for (const session of sessions) session.close();
  };
  // Node's http server tracks its connections (for closeAllConnections, closeIdleConnections and request
  // timeouts) from its 'listening' event, which it never sees of its own.
  server.on("listening", () => http1.emit("listening"));
  server.on("close", () => {
    http1.close();
    h2.close();
  });
  return server as unknown as http.Server;
}
