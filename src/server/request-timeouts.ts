// Slow clients cannot hold the server's connections: a request whose body has not fully arrived within
// requestTimeoutMs is answered 408 (in the error shape of its route: JSON, or AWS's on the AWS endpoints)
// and its connection closed; a connection that sends no byte at all within firstByteTimeoutMs is closed.
// Headers that trickle in are Node's headersTimeout's job (60 s), idle keep-alive connections its
// keepAliveTimeout's.
import type { Socket } from "node:net";
import type { FastifyInstance, FastifyRequest } from "fastify";

export interface RequestTimeoutOptions {
  /** most time from a request's headers to the last byte of its body; 0 for none */
  requestTimeoutMs: number;
  /** most time a new connection may stay silent; 0 for none */
  firstByteTimeoutMs: number;
}

/** A 4xx error that the app's error handlers (JSON, AWS) answer with its status. */
export class RequestTimeoutError extends Error {
  readonly statusCode = 408;
  readonly code = "request_timeout";
  constructor(timeoutMs: number) {
    super(`the request body did not arrive within ${timeoutMs} ms; send it in one go`);
    this.name = "RequestTimeoutError";
  }
}

/** Call before routes register: the hooks apply to every route, ingest's and the AWS endpoints' too. */
export function installRequestTimeouts(app: FastifyInstance, options: RequestTimeoutOptions): void {
  if (options.requestTimeoutMs > 0) {
    const timers = new WeakMap<FastifyRequest, NodeJS.Timeout>();
    const clear = async (request: FastifyRequest) => {
      const timer = timers.get(request);
      if (timer !== undefined) clearTimeout(timer);
      timers.delete(request);
    };
    app.addHook("onRequest", async (request, reply) => {
      const timer = setTimeout(() => {
        timers.delete(request);
        if (reply.sent || request.raw.complete) return;
        // HTTP/1.1: the rest of the body is not read, so the connection cannot carry another request.
        if (request.raw.httpVersionMajor === 1) reply.header("connection", "close");
        reply.raw.once("finish", () => setImmediate(() => request.raw.destroy()));
        reply.send(new RequestTimeoutError(options.requestTimeoutMs));
      }, options.requestTimeoutMs);
      timer.unref();
      timers.set(request, timer);
    });
    // The body has arrived once the handler is about to run (and a hijacked stream like SSE lives on).
    app.addHook("preHandler", clear);
    app.addHook("onResponse", clear);
    app.addHook("onRequestAbort", clear);
  }
  if (options.firstByteTimeoutMs > 0) {
    app.server.on("connection", (socket: Socket) => {
      const close = () => socket.destroy();
      socket.setTimeout(options.firstByteTimeoutMs);
      socket.once("timeout", close);
      socket.once("data", () => {
        socket.setTimeout(0);
        socket.off("timeout", close);
      });
    });
  }
}
