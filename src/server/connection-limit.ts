// Bounds the HTTP server's concurrent connections (`server.maxConnections`), whatever protocol they speak:
// a connection over the limit is answered a raw HTTP/1.1 503 with Retry-After, in the app's JSON error
// shape, and ended, instead of being reset without a word (what node's own net.Server.maxConnections does).
import type { Socket } from "node:net";
import { UnavailableError } from "../errors/index.js";
import { serverConnectionsRefused, serverOpenConnections, type Logger } from "../monitor/index.js";
import { errorBody, retryAfterSeconds } from "./errors.js";

const RETRY_AFTER_MS = 1000;
/** Refusals are logged at most this often, each line with the count since the last one. */
const REFUSAL_LOG_INTERVAL_MS = 1000;
/**
 * How long a refused connection may keep sending before it is destroyed. Closing a socket with unread
 * bytes makes the kernel send a reset, which can discard the 503 before the client reads it; reading
 * until the client closes (as web servers' "lingering close" does) lets the answer arrive.
 */
const REFUSED_DRAIN_MS = 2000;

export interface ConnectionLimitOptions {
  /** most connections open at once, of any protocol; at least 1 */
  maxConnections: number;
  log: Logger;
}

/**
 * Counts a listener's open connections: `admit` takes a slot for each new connection, and the socket's
 * 'close' frees it. One instance serves one listener (listener.ts calls it before sorting protocols).
 */
export class ConnectionLimit {
  readonly maxConnections: number;
  readonly #log: Logger;
  /** the whole answer to a refused connection, built once: a flood pays for no formatting */
  readonly #refusal: Buffer;
  #open = 0;
  /** refused connections still being read to their end */
  readonly #draining = new Set<Socket>();
  #refusedSinceLog = 0;
  #lastLogAtMs = -Infinity;

  constructor(options: ConnectionLimitOptions) {
    if (!Number.isInteger(options.maxConnections) || options.maxConnections < 1) {
      throw new RangeError(`maxConnections must be an integer of at least 1, got ${options.maxConnections}`);
    }
    this.maxConnections = options.maxConnections;
    this.#log = options.log;
    this.#refusal = refusalAnswer(
      new UnavailableError(
        `the server is at its limit of ${options.maxConnections} open connections (server.maxConnections); ` +
          "retry after the Retry-After delay, and reuse keep-alive connections rather than opening new ones",
        { retryAfterMs: RETRY_AFTER_MS },
      ),
    );
  }

  /** Connections holding a slot now. */
  get open(): number {
    return this.#open;
  }

  /** Takes a slot for a new connection, or answers it 503 and ends it: true when it may be served. */
  admit(socket: Socket): boolean {
    if (this.#open >= this.maxConnections) {
      this.#refuse(socket);
      return false;
    }
    this.#open += 1;
    serverOpenConnections.inc();
    socket.once("close", () => {
      this.#open -= 1;
      serverOpenConnections.dec();
    });
    return true;
  }

  /** Destroys the refused connections still being drained (the server is closing). */
  closeRefused(): void {
    for (const socket of this.#draining) socket.destroy();
  }

  #refuse(socket: Socket): void {
    serverConnectionsRefused.inc();
    this.#logRefusal();
    socket.on("error", () => socket.destroy());
    socket.end(this.#refusal);
    // Draining is bounded too: past as many refused connections as served ones, the answer goes out and
    // the socket is destroyed once written, at the risk of a reset for a client that already sent bytes.
    if (this.#draining.size >= this.maxConnections) {
      socket.once("finish", () => socket.destroy());
      return;
    }
    this.#draining.add(socket);
    const timer = setTimeout(() => socket.destroy(), REFUSED_DRAIN_MS);
    timer.unref();
    socket.once("close", () => {
      clearTimeout(timer);
      this.#draining.delete(socket);
    });
    // The listener accepts with pauseOnConnect; flowing with no reader discards what the client sends.
    socket.resume();
  }

  #logRefusal(): void {
    this.#refusedSinceLog += 1;
    const now = Date.now();
    if (now - this.#lastLogAtMs < REFUSAL_LOG_INTERVAL_MS) return;
    this.#log.warn(
      { maxConnections: this.maxConnections, refused: this.#refusedSinceLog },
      "at the connection limit: new connections are answered 503 (raise server.maxConnections, or put a proxy in front)",
    );
    this.#lastLogAtMs = now;
    this.#refusedSinceLog = 0;
  }
}

/** A complete HTTP/1.1 response for `error`, in the JSON error shape the app's error handler sends. */
function refusalAnswer(error: UnavailableError): Buffer {
  const body = Buffer.from(JSON.stringify(errorBody(error.code, error.message)), "utf8");
  const head = [
    `HTTP/1.1 ${error.httpStatus} Service Unavailable`,
    `Retry-After: ${retryAfterSeconds(error.retryAfterMs ?? RETRY_AFTER_MS)}`,
    "Content-Type: application/json; charset=utf-8",
    `Content-Length: ${body.length}`,
    "Connection: close",
    "",
    "",
  ].join("\r\n");
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
}
