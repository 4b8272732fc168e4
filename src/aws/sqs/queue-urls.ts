// How SQS names a queue: its URL (http://<host>/<account>/<name>, the host the client called, so the
// URL works from wherever the client is) and its ARN (arn:aws:sqs:<region>:<account>:<name>).
import type { ArnScope } from "../arn.js";
import type { AwsRequestContext } from "../service.js";
import { SqsError } from "./sqs-errors.js";

const QUEUE_URL_PATH = /^\/(\d{12})\/([^/?#]+)\/?$/;
const QUEUE_ARN = /^arn:aws[a-z-]*:sqs:([a-z0-9-]*):(\d{12}):([^:/]+)$/;

export function queueUrl(ctx: AwsRequestContext, name: string): string {
  const host = ctx.request.host || "localhost";
  return `${ctx.request.protocol}://${host}/${ctx.accountId}/${encodeURIComponent(name)}`;
}

export const queueArn = (scope: ArnScope, name: string) => `arn:aws:sqs:${scope.region}:${scope.accountId}:${name}`;

/** The queue a QueueUrl names (any host: clients reach the server by many names). */
export function nameFromQueueUrl(ctx: AwsRequestContext, url: string): string {
  let path: string;
  try {
    path = new URL(url, "http://localhost").pathname;
  } catch {
    throw new SqsError("InvalidAddress", `The address ${url} is not valid for this endpoint.`);
  }
  const match = QUEUE_URL_PATH.exec(path);
  if (!match) throw new SqsError("InvalidAddress", `The address ${url} is not valid for this endpoint.`);
  if (match[1] !== ctx.accountId) throw new SqsError("QueueDoesNotExist", "The specified queue does not exist.");
  return decodeURIComponent(match[2]!);
}

/** The queue an ARN names; `parameter` is what the message calls the ARN. */
export function nameFromQueueArn(ctx: AwsRequestContext, arn: string, parameter: string): string {
  const match = QUEUE_ARN.exec(arn);
  if (!match) throw new SqsError("InvalidParameterValue", `Value ${arn} for parameter ${parameter} is invalid. Reason: it is not an SQS queue ARN.`);
  if (match[2] !== ctx.accountId || (match[1] !== "" && match[1] !== ctx.region)) {
    throw new SqsError("QueueDoesNotExist", `The queue ${arn} does not exist in account ${ctx.accountId}, region ${ctx.region}.`);
  }
  return match[3]!;
}
