// AWS Lambda (REST JSON, API version 2015-03-31) over the pipeline's functions: Invoke (RequestResponse,
// Event, DryRun, with the log tail), ListFunctions, GetFunction and GetFunctionConfiguration. A function
// named by name, partial ARN or ARN; only $LATEST exists. An Event invocation is answered 202 once it is
// durable in the pipeline's internal queue; the workers run it from there, with retries (async-invocations.ts).
import { createHash } from "node:crypto";
import type { Logger } from "../../monitor/index.js";
import { AwsError, type AwsErrorCodes } from "../errors.js";
import type { AwsRequestContext, AwsService, RestAnswer, RestRequest, RestRoute } from "../service.js";
import type { AsyncInvocation } from "./async-invocations.js";
import type { LambdaFunction, LambdaFunctionCatalog, LambdaInvokeOutcome } from "./lambda-function.js";
import { invocationLogTail } from "./log-tail.js";

export interface LambdaServiceOptions {
  functions: LambdaFunctionCatalog;
  /** queues an Event invocation durably, or throws an AwsError (enqueueAsyncInvocation) */
  enqueueAsync(invocation: AsyncInvocation): Promise<void>;
  log: Logger;
}

export const LAMBDA_ERROR_CODES: AwsErrorCodes = {
  invalidArgument: "InvalidParameterValueException",
  notFound: "ResourceNotFoundException",
  inUse: "ResourceConflictException",
  throttled: "TooManyRequestsException",
  throttledStatus: 429,
};

const VERSION = "$LATEST";
/** Lambda's payload limits: 6 MB for a synchronous invocation, 1 MB for an asynchronous one. */
const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
const MAX_ASYNC_PAYLOAD_BYTES = 1024 * 1024;
const DEFAULT_MAX_ITEMS = 50;
const MAX_ITEMS = 10_000;
const FUNCTION_NAME = /^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?$/;

const invalidParameter = (message: string) => new AwsError("InvalidParameterValueException", message);

const header = (request: RestRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Lambda's LastModified format: 2026-01-31T12:00:00.000+0000. */
const lambdaTime = (ms: number) => new Date(ms).toISOString().replace("Z", "+0000");

export function functionArnOf(ctx: AwsRequestContext, name: string): string {
  return `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${name}`;
}

export function createLambdaService(options: LambdaServiceOptions): AwsService {
  const { functions, enqueueAsync, log } = options;
  const deployedAtMs = Date.now();

  /** The function a path names (name, partial ARN or ARN, with an optional qualifier), or ResourceNotFoundException. */
  const resolve = (request: RestRequest, ctx: AwsRequestContext): LambdaFunction => {
    const raw = request.params["FunctionName"] ?? "";
    const match = FUNCTION_NAME.exec(raw);
    if (raw.length === 0 || raw.length > 170 || !match) {
      throw invalidParameter(`1 validation error detected: Value '${raw}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${FUNCTION_NAME.source}`);
    }
    const name = match[7]!;
    const qualifier = request.query["Qualifier"] ?? match[9];
    const region = match[3]?.slice(0, -1);
    const account = match[5]?.slice(0, -1);
    const fn = functions.get(name);
    const elsewhere = (region !== undefined && region !== ctx.region) || (account !== undefined && account !== ctx.accountId);
    if (!fn || elsewhere || (qualifier !== undefined && qualifier !== VERSION)) {
      const arn = `${functionArnOf(ctx, name)}${qualifier !== undefined ? `:${qualifier}` : ""}`;
      throw new AwsError("ResourceNotFoundException", `Function not found: ${arn}`, 404);
    }
    return fn;
  };

  const configuration = (fn: LambdaFunction, ctx: AwsRequestContext) => {
    const code = createHash("sha256").update(`${fn.name}\0${fn.handler}`).digest("base64");
    return {
      FunctionName: fn.name,
      FunctionArn: functionArnOf(ctx, fn.name),
      Runtime: "nodejs20.x",
      Role: `arn:aws:iam::${ctx.accountId}:role/shopstream-function`,
      Handler: fn.handler,
      CodeSize: 0,
      Description: fn.description,
      Timeout: fn.timeoutSec,
      MemorySize: fn.memorySizeMb,
      LastModified: lambdaTime(deployedAtMs),
      CodeSha256: code,
      Version: VERSION,
      ...(Object.keys(fn.environment).length > 0 && { Environment: { Variables: { ...fn.environment } } }),
      TracingConfig: { Mode: "PassThrough" },
      RevisionId: code.slice(0, 8),
      State: "Active",
      LastUpdateStatus: "Successful",
      PackageType: "Zip",
      Architectures: ["x86_64"],
      EphemeralStorage: { Size: 512 },
      LoggingConfig: { LogFormat: "Text", LogGroup: `/aws/lambda/${fn.name}` },
    };
  };

  /** The event an invocation carries: JSON, `{}` when the body is empty (as Lambda passes it). */
  const eventOf = (body: Buffer): unknown => {
    if (body.length === 0) return {};
    try {
      return JSON.parse(body.toString("utf8"));
    } catch (error) {
      throw new AwsError("InvalidRequestContentException", `Could not parse request body into json: ${(error as Error).message}`);
    }
  };

  const invoke = async (request: RestRequest, ctx: AwsRequestContext): Promise<RestAnswer> => {
    const fn = resolve(request, ctx);
    const type = header(request, "x-amz-invocation-type") ?? "RequestResponse";
    const logType = header(request, "x-amz-log-type") ?? "None";
    if (type !== "RequestResponse" && type !== "Event" && type !== "DryRun") {
      throw invalidParameter(`1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`);
    }
    if (logType !== "None" && logType !== "Tail") {
      throw invalidParameter(`1 validation error detected: Value '${logType}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [Tail, None]`);
    }
    const limit = type === "Event" ? MAX_ASYNC_PAYLOAD_BYTES : MAX_SYNC_PAYLOAD_BYTES;
    if (request.body.length > limit) {
      throw new AwsError("RequestTooLargeException", `${request.body.length} byte payload is too large for the ${type} invocation type (limit ${limit} bytes)`, 413);
    }
    const event = eventOf(request.body);
    if (type === "DryRun") return { status: 204 };
    if (type === "Event") {
      // The 202 promises the invocation is queued: it is, durably, before the answer goes out.
      await enqueueAsync({ functionName: fn.name, requestId: ctx.requestId, attempt: 1, event });
      log.debug({ function: fn.name, requestId: ctx.requestId }, "asynchronous invocation queued");
      return { status: 202 };
    }
    const startedMs = performance.now();
    const outcome: LambdaInvokeOutcome = await fn.invoke(event);
    const durationMs = performance.now() - startedMs;
    const headers: Record<string, string> = { "x-amz-executed-version": VERSION, "content-type": "application/json" };
    if (outcome.functionError) headers["x-amz-function-error"] = outcome.functionError;
    if (logType === "Tail") headers["x-amz-log-result"] = invocationLogTail(fn, outcome, durationMs);
    // The payload is the handler's JSON as is (a string response is a JSON string, undefined is null).
    return { status: 200, headers, body: Buffer.from(JSON.stringify(outcome.payload ?? null)) };
  };

  const listFunctions = (request: RestRequest, ctx: AwsRequestContext): RestAnswer => {
    const maxItemsText = request.query["MaxItems"];
    const maxItems = maxItemsText === undefined ? DEFAULT_MAX_ITEMS : Number(maxItemsText);
    if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > MAX_ITEMS) {
      throw invalidParameter(`1 validation error detected: Value '${maxItemsText}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and ${MAX_ITEMS}`);
    }
    const version = request.query["FunctionVersion"];
    if (version !== undefined && version !== "ALL") {
      throw invalidParameter(`1 validation error detected: Value '${version}' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]`);
    }
    const marker = request.query["Marker"];
    let after = "";
    if (marker !== undefined) {
      after = Buffer.from(marker, "base64url").toString("utf8");
      if (!after.startsWith("fn:")) throw invalidParameter("Invalid Marker: it is not one this API gave out");
      after = after.slice(3);
    }
    const remaining = functions.list().filter((fn) => fn.name > after);
    const page = remaining.slice(0, maxItems);
    const last = page.at(-1);
    return {
      body: {
        Functions: page.map((fn) => configuration(fn, ctx)),
        ...(remaining.length > page.length && last && { NextMarker: Buffer.from(`fn:${last.name}`).toString("base64url") }),
      },
    };
  };

  const getFunction = (request: RestRequest, ctx: AwsRequestContext): RestAnswer => {
    const fn = resolve(request, ctx);
    return {
      body: {
        Configuration: configuration(fn, ctx),
        Code: { RepositoryType: "S3", Location: `file://shopstream/functions/${encodeURIComponent(fn.name)}` },
        Tags: { "shopstream:kind": fn.handler.startsWith("shopstream.") ? "builtin" : "handler", ...(fn.eventSource && { [`shopstream:${fn.eventSource.kind}`]: fn.eventSource.name }) },
      },
    };
  };

  const routes: RestRoute[] = [
    { method: "POST", url: "/2015-03-31/functions/:FunctionName/invocations", operation: invoke },
    { method: "GET", url: "/2015-03-31/functions/", operation: listFunctions },
    { method: "GET", url: "/2015-03-31/functions", operation: listFunctions },
    { method: "GET", url: "/2015-03-31/functions/:FunctionName", operation: getFunction },
    { method: "GET", url: "/2015-03-31/functions/:FunctionName/configuration", operation: (request, ctx) => ({ body: configuration(resolve(request, ctx), ctx) }) },
  ];

  return { name: "Lambda", signingName: "lambda", errorCodes: LAMBDA_ERROR_CODES, rest: routes };
}
