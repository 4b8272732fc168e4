// What an AWS service module declares to the endpoint: its signing name, its error spellings and its
// operations per wire protocol. Adding a service is one module that exports an AwsService and one line in
// the service list the server passes to registerAwsEndpoint (src/aws/services.ts).
import type { FastifyRequest } from "fastify";
import type { AwsErrorCodes } from "./errors.js";

/** How a request arrived; the answer goes back the same way. */
export type WireProtocol = "json" | "cbor" | "query" | "rest";

export interface AwsRequestContext {
  /** the x-amzn-RequestId of the answer */
  requestId: string;
  region: string;
  accountId: string;
  protocol: WireProtocol;
  request: FastifyRequest;
}

/**
 * One operation. `input` is the decoded request: for JSON and CBOR the request object (blobs arrive as
 * base64 strings in JSON and as bytes in CBOR, timestamps as epoch seconds in JSON and as Dates in CBOR:
 * read them with readBlob and readTimestamp from values.ts); for the query protocol the form's flat
 * `Name.1.Key=value` pairs as a string map. The result is the output object: return Uint8Array for blobs
 * and Date for timestamps, and each protocol encodes them its own way.
 */
export type AwsOperation = (input: Record<string, unknown>, context: AwsRequestContext) => Promise<object> | object;

/** An answer of a REST operation: JSON (objects) or bytes (Uint8Array). */
export interface RestAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: object | Uint8Array;
}

export interface RestRequest {
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** the raw body; parse it as the operation's shape requires */
  body: Buffer;
}

export type RestOperation = (request: RestRequest, context: AwsRequestContext) => Promise<RestAnswer> | RestAnswer;

export interface RestRoute {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** a Fastify route path: /2015-03-31/functions/:FunctionName/invocations */
  url: string;
  operation: RestOperation;
}

export interface AwsService {
  /** for logs and messages: "Kinesis" */
  name: string;
  /** the service in SigV4 credential scopes: kinesis, firehose, sqs, lambda, athena */
  signingName: string;
  errorCodes: AwsErrorCodes;
  /** JSON RPC (POST / with X-Amz-Target: <targetPrefix>.<Operation>): awsJson 1.0 or 1.1, and CBOR (Kinesis) */
  json?: {
    targetPrefix: string;
    version: "1.0" | "1.1";
    operations: Readonly<Record<string, AwsOperation>>;
  };
  /** query protocol (form posts with Action=<Operation>&Version=…), answered in XML */
  query?: {
    version: string;
    xmlNamespace: string;
    operations: Readonly<Record<string, AwsOperation>>;
    /** more paths that take query posts besides `/` (SQS queue URLs: `/:accountId/:queueName`) */
    paths?: readonly string[];
  };
  /** REST (Lambda): routes mounted in the AWS scope, with the same authentication and error shapes */
  rest?: readonly RestRoute[];
}
