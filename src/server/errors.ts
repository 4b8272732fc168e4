// One place that turns errors into HTTP answers: typed errors keep their status, Fastify's own (body too
// large, bad content type) are translated, anything else is a 500 with no internals leaked.
import type { FastifyError, FastifyInstance } from "fastify";
import { ShopstreamError, ThrottledError, UnavailableError } from "../errors/index.js";
import type { Logger } from "../monitor/index.js";

export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

/** An HTTP Retry-After value: whole seconds, at least 1. */
export function retryAfterSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}

export function installErrorHandling(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((error: FastifyError | Error, _request, reply) => {
    if (error instanceof ThrottledError || (error instanceof UnavailableError && error.retryAfterMs !== undefined)) {
      reply.header("Retry-After", retryAfterSeconds(error.retryAfterMs!));
    }
    if (error instanceof ShopstreamError) {
      return reply.code(error.httpStatus).send(errorBody(error.code, error.message));
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      return reply.code(413).send(errorBody("payload_too_large", `${fastifyError.message}; split the events over several requests`));
    }
    const status = fastifyError.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.code(status).send(errorBody(fastifyError.code?.toLowerCase() ?? "bad_request", fastifyError.message));
    }
    log.error({ err: error }, "request failed");
    return reply.code(500).send(errorBody("internal_error", "internal error; see the server log"));
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody("not_found", `no route for ${request.method} ${request.url.split("?")[0]}`));
  });
}
