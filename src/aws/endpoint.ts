// The AWS endpoint: one Fastify scope on the server's port that takes the AWS wire protocols and hands each
// request to its service module. JSON RPC and CBOR requests are POST / routed by X-Amz-Target, query
// protocol form posts by Action (and the signing service), REST services by their own paths. The scope
// parses bodies itself (raw bytes), so ingest's and the root's parsers and body limits do not apply here.
import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "../monitor/index.js";
import type { AwsConfig } from "./config.js";
import { AwsError, DEFAULT_ERROR_CODES, internalFailure, toAwsError, type AwsErrorCodes } from "./errors.js";
import type { AwsRequestContext, AwsService, RestRoute, WireProtocol } from "./service.js";
import { verifySignature } from "./sigv4.js";
import { CONTENT_TYPES, decodeBody, encodeCbor, encodeJson, protocolOf, queryErrorXml, queryResponseXml } from "./wire.js";

export interface AwsEndpointOptions {
  /** the endpoint's own settings (the services' sections, as `lambda`, go to their services) */
  config: Omit<AwsConfig, "lambda">;
  services: readonly AwsService[];
  log: Logger;
}

/** What a failed request is answered in: the service's protocol, or JSON when no service was found. */
interface Answering {
  protocol: WireProtocol;
  service: AwsService | undefined;
}

const CREDENTIAL_SERVICE = /Credential=[^/]*\/[^/]*\/[^/]*\/([^/]*)\//;

export async function registerAwsEndpoint(app: FastifyInstance, options: AwsEndpointOptions): Promise<void> {
  const { config, services, log } = options;
  const byTarget = new Map(services.flatMap((service) => (service.json ? [[service.json.targetPrefix, service] as const] : [])));
  const queryServices = services.filter((service) => service.query);

  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: config.maxBodyBytes }, (_request, body, done) => done(null, body));
    // Failures before a handler runs (a body over the limit): AWS's JSON shape.
    scope.setErrorHandler((error, request, reply) => sendError(reply, request, error, { protocol: "json", service: undefined }));

    const context = (request: FastifyRequest, protocol: WireProtocol): AwsRequestContext => ({
      requestId: randomUUID(),
      region: config.region,
      accountId: config.accountId,
      protocol,
      request,
    });

    const authenticate = (request: FastifyRequest, body: Buffer, service: AwsService) => {
      const [path, search = ""] = request.url.split("?", 2) as [string, string?];
      const query: Record<string, string | string[]> = {};
      for (const [key, value] of new URLSearchParams(search)) {
        const previous = query[key];
        query[key] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
      }
      return verifySignature(
        { method: request.method, path, query, headers: request.headers, body, remoteAddress: request.socket.remoteAddress },
        { accessKeys: config.accessKeys, region: config.region, signingName: service.signingName },
      );
    };

    const rpc = async (request: FastifyRequest, reply: FastifyReply) => {
      const body = bodyOf(request);
      const protocol = protocolOf(request.headers["content-type"]);
      const answering: Answering = { protocol, service: undefined };
      try {
        const target = request.headers["x-amz-target"];
        if (typeof target === "string") {
          const dot = target.lastIndexOf(".");
          const service = byTarget.get(target.slice(0, Math.max(0, dot)));
          answering.service = service;
          const operation = ownOperation(service?.json?.operations, target.slice(dot + 1));
          if (!service || !operation) throw new AwsError("UnknownOperationException", `no operation ${target}`);
          await authenticate(request, body, service);
          const ctx = context(request, protocol === "cbor" ? "cbor" : "json");
          const output = await operation(decodeBody(protocol, body), ctx);
          return sendOutput(reply, ctx, service, output);
        }
        if (protocol === "query") return await query(request, reply, body, answering);
        throw new AwsError("UnknownOperationException", "an AWS request needs an X-Amz-Target header (JSON protocols) or a form body with Action (query protocol)");
      } catch (error) {
        return sendError(reply, request, error, answering);
      }
    };

    const query = async (request: FastifyRequest, reply: FastifyReply, body: Buffer, answering: Answering) => {
      answering.protocol = "query";
      const input = { ...(request.query as Record<string, string>), ...decodeBody("query", body) } as Record<string, string>;
      const signingName = CREDENTIAL_SERVICE.exec(String(request.headers["authorization"] ?? ""))?.[1];
      const service = queryServices.find((candidate) => candidate.signingName === signingName) ?? (queryServices.length === 1 ? queryServices[0] : undefined);
      answering.service = service;
      const action = input["Action"];
      const operation = action === undefined ? undefined : ownOperation(service?.query?.operations, action);
      if (!service?.query || !operation || action === undefined) {
        throw new AwsError("InvalidAction", `The action or operation requested is invalid: ${action ?? "(no Action)"}`);
      }
      await authenticate(request, body, service);
      const ctx = context(request, "query");
      const output = await operation(input, ctx);
      reply.code(200).header("x-amzn-RequestId", ctx.requestId).header("content-type", CONTENT_TYPES.xml);
      return reply.send(queryResponseXml(action, service.query.xmlNamespace, output, ctx.requestId));
    };

    const rest = (service: AwsService, route: RestRoute) => async (request: FastifyRequest, reply: FastifyReply) => {
      const answering: Answering = { protocol: "rest", service };
      try {
        const body = bodyOf(request);
        await authenticate(request, body, service);
        const ctx = context(request, "rest");
        const answer = await route.operation(
          {
            params: request.params as Record<string, string>,
            query: request.query as Record<string, string>,
            headers: request.headers,
            body,
          },
          ctx,
        );
        reply.code(answer.status ?? 200).header("x-amzn-RequestId", ctx.requestId);
        for (const [name, value] of Object.entries(answer.headers ?? {})) reply.header(name, value);
        if (answer.body === undefined) return reply.send();
        if (answer.body instanceof Uint8Array) return reply.send(Buffer.from(answer.body));
        return reply.header("content-type", "application/json").send(encodeJson(answer.body));
      } catch (error) {
        return sendError(reply, request, error, answering);
      }
    };

    scope.post("/", rpc);
    for (const service of queryServices) {
      for (const path of service.query?.paths ?? []) {
        scope.post(path, async (request, reply) => {
          const answering: Answering = { protocol: "query", service };
          try {
            return await query(request, reply, bodyOf(request), answering);
          } catch (error) {
            return sendError(reply, request, error, answering);
          }
        });
      }
    }
    for (const service of services) for (const route of service.rest ?? []) scope.route({ method: route.method, url: route.url, handler: rest(service, route) });
  });

  function sendOutput(reply: FastifyReply, ctx: AwsRequestContext, service: AwsService, output: object) {
    reply.code(200).header("x-amzn-RequestId", ctx.requestId);
    if (ctx.protocol === "cbor") return reply.header("content-type", CONTENT_TYPES.cbor).send(encodeCbor(output));
    return reply.header("content-type", service.json?.version === "1.0" ? CONTENT_TYPES.json10 : CONTENT_TYPES.json11).send(encodeJson(output));
  }

  function sendError(reply: FastifyReply, request: FastifyRequest, error: unknown, answering: Answering) {
    const codes: AwsErrorCodes = answering.service?.errorCodes ?? DEFAULT_ERROR_CODES;
    let aws = toAwsError(error, codes);
    if (!aws) {
      log.error({ err: error, target: request.headers["x-amz-target"], url: request.url }, "AWS request failed");
      aws = internalFailure();
    }
    const requestId = randomUUID();
    reply.code(aws.httpStatus).header("x-amzn-RequestId", requestId).header("x-amzn-ErrorType", aws.code);
    for (const [name, value] of Object.entries(aws.headers)) reply.header(name, value);
    if (answering.protocol === "query") {
      return reply.header("content-type", CONTENT_TYPES.xml).send(queryErrorXml(aws, answering.service?.query?.xmlNamespace ?? "", requestId));
    }
    const body = { ...aws.members, __type: aws.code, message: aws.message };
    if (answering.protocol === "cbor") return reply.header("content-type", CONTENT_TYPES.cbor).send(encodeCbor(body));
    const json = answering.protocol === "rest" ? "application/json" : answering.service?.json?.version === "1.0" ? CONTENT_TYPES.json10 : CONTENT_TYPES.json11;
    return reply.header("content-type", json).send(encodeJson(body));
  }
}

/**
 * A service's own operation by name: never one of Object.prototype's members, which a plain lookup finds
 * for `X-Amz-Target: Kinesis_20131202.constructor` or `Action=toString` (and would call with the input).
 */
function ownOperation<T>(operations: Record<string, T> | undefined, name: string): T | undefined {
  return operations !== undefined && Object.hasOwn(operations, name) ? operations[name] : undefined;
}

function bodyOf(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}
