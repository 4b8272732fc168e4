// The `context` object a Lambda handler receives, with the fields the Node.js runtime gives it.
import { randomBytes } from "node:crypto";
import { functionArn } from "./arn.js";

export interface LambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  /** a string, as in the Node.js runtime */
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  getRemainingTimeInMillis(): number;
  /** legacy completion methods, still offered by the Node.js runtime */
  done?: (error?: unknown, result?: unknown) => void;
  succeed?: (result?: unknown) => void;
  fail?: (error: unknown) => void;
}

export interface ContextOptions {
  functionName: string;
  memorySizeMb: number;
  awsRequestId: string;
  deadlineMs: number;
  logGroupName: string;
  logStreamName: string;
}

export function lambdaContext(options: ContextOptions): LambdaContext {
  return {
    // The worker cannot wait for an empty event loop; the field exists so handlers that set it still run.
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: functionArn(options.functionName),
    memoryLimitInMB: String(options.memorySizeMb),
    awsRequestId: options.awsRequestId,
    logGroupName: options.logGroupName,
    logStreamName: options.logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, options.deadlineMs - Date.now()),
  };
}

export function logGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/** One log stream per execution environment (here: per worker), named as Lambda names them. */
export function newLogStreamName(now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll("-", "/");
  return `${day}/[$LATEST]${randomBytes(16).toString("hex")}`;
}
