// API keys for the HTTP API: an onRequest hook that names the scope each route needs and checks the key
// the request carries, in constant time. The AWS endpoints are left to their Signature V4 check.
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "../monitor/index.js";
import type { ApiKeyScope, ServerAuthConfig } from "./auth-config.js";
import { errorBody } from "./errors.js";

/** What a request needs: a key with this scope, or nothing. */
export type RequiredScope = ApiKeyScope | "none";

interface StoredKey {
  name: string;
  /** SHA-256 of the key: equal lengths for timingSafeEqual, and the key itself is not kept around */
  digest: Buffer;
  scopes: ReadonlySet<ApiKeyScope>;
}

/** The header an API key is sent in (the CLI's clients send it there). */
export const API_KEY_HEADER = "x-api-key";

/** The live feed's query parameter: EventSource cannot send headers. Accepted on GET /v1/live only. */
export const LIVE_KEY_PARAM = "api_key";

/**
 * The scope a request needs. Ingest needs `ingest`; the dashboard's reads (GET /v1/*, /v1/live, and
 * /metrics when protected) `read`; anything else under /v1/ changes something and needs `admin`. The
 * dashboard page, its assets, /healthz and the AWS endpoints (SigV4) are open here.
 */
export function requiredScope(method: string, path: string, options: { protectMetrics: boolean }): RequiredScope {
  if (path === "/metrics") return options.protectMetrics ? "read" : "none";
  if (path !== "/v1" && !path.startsWith("/v1/")) return "none";
  if (method === "POST" && path === "/v1/events") return "ingest";
  if (method === "GET" || method === "HEAD") return "read";
  return "admin";
}

/** The key a request carries: `x-api-key`, else `Authorization: Bearer`, else (live feed only) ?api_key=. */
export function presentedKey(request: FastifyRequest, path: string): string | undefined {
  const header = request.headers[API_KEY_HEADER];
  if (typeof header === "string" && header !== "") return header;
  const authorization = request.headers.authorization;
  if (typeof authorization === "string") {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return match[1];
  }
  if (path === "/v1/live" && request.method === "GET") {
    const value = (request.query as Record<string, unknown> | undefined)?.[LIVE_KEY_PARAM];
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
}

export class ApiKeyCheck {
  private readonly keys: StoredKey[];
  constructor(config: ServerAuthConfig) {
    this.keys = config.apiKeys.map((key) => ({ name: key.name, digest: digestOf(key.key), scopes: new Set(key.scopes) }));
  }

  get enabled(): boolean {
    return this.keys.length > 0;
  }

  /** The matching key, compared against every configured key in constant time per key. */
  find(presented: string): StoredKey | undefined {
    const digest = digestOf(presented);
    let found: StoredKey | undefined;
    // No early exit: the time taken does not tell which key (or how many) came close.
    for (const key of this.keys) if (timingSafeEqual(key.digest, digest) && found === undefined) found = key;
    return found;
  }
}

function digestOf(key: string): Buffer {
  return createHash("sha256").update(key, "utf8").digest();
}

/** admin may do everything; ingest and read only their own. */
function allows(scopes: ReadonlySet<ApiKeyScope>, needed: ApiKeyScope): boolean {
  return scopes.has("admin") || scopes.has(needed);
}

/** Installs the key check on the app; a no-op when no keys are configured. Call before routes register. */
export function installApiKeyAuth(app: FastifyInstance, config: ServerAuthConfig, log: Logger): void {
  const check = new ApiKeyCheck(config);
  if (!check.enabled) return;
  const refuse = (reply: FastifyReply, status: 401 | 403, code: string, message: string) => {
    if (status === 401) reply.header("WWW-Authenticate", 'Bearer realm="shopstream", charset="UTF-8"');
    return reply.code(status).send(errorBody(code, message));
  };
  app.addHook("onRequest", async (request, reply) => {
    // The matched route's pattern, not the raw URL: no spelling of a path (encoded, doubled slashes) that
    // routes to a protected handler can look like another one here.
    const path = request.routeOptions.url ?? request.url.split("?", 1)[0]!;
    const needed = requiredScope(request.method, path, config);
    if (needed === "none") return;
    const presented = presentedKey(request, path);
    if (presented === undefined) {
      return refuse(reply, 401, "unauthorized", `${request.method} ${path} needs an API key with ${needed} scope: send it as x-api-key or Authorization: Bearer`);
    }
    const key = check.find(presented);
    if (key === undefined) {
      log.info({ method: request.method, path, remoteAddress: request.socket.remoteAddress }, "request with an unknown API key refused");
      return refuse(reply, 401, "unauthorized", "the API key is not valid");
    }
    if (!allows(key.scopes, needed)) {
      log.info({ method: request.method, path, keyName: key.name }, "API key without the needed scope refused");
      return refuse(reply, 403, "forbidden", `the API key ${key.name} lacks ${needed} scope for ${request.method} ${path}`);
    }
  });
}

const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|localhost|::ffff:127(\.\d{1,3}){3})$/i;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host.replace(/^\[|\]$/g, ""));
}

/**
 * The warning for a server reachable from the network with its HTTP API open, or undefined when it binds
 * to loopback or has API keys.
 */
export function exposureWarning(host: string, options: { apiKeys: number; awsAccessKeys: number }): string | undefined {
  if (isLoopbackHost(host) || options.apiKeys > 0) return undefined;
  const aws =
    options.awsAccessKeys > 0
      ? "the AWS endpoints check Signature V4"
      : "the AWS endpoints refuse non-loopback clients until aws.accessKeys is configured";
  return (
    `binding to ${host} with no API keys: anyone who can reach this address can send events, read the dashboard's API ` +
    `and run SQL over the lake. Configure server.auth.apiKeys (and aws.accessKeys), or bind to 127.0.0.1; ${aws}.`
  );
}
