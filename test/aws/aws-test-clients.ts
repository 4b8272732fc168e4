// AWS SDK v3 clients and raw requests pointed at a test server, as users point theirs with --endpoint-url.
import { FirehoseClient } from "@aws-sdk/client-firehose";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { SQSClient } from "@aws-sdk/client-sqs";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { AthenaClient } from "@aws-sdk/client-athena";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { AWS_CLI_PATH } from "../../src/test-support/backends.js";

export const TEST_CREDENTIALS = { accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" };

export interface ClientOptions {
  credentials?: { accessKeyId: string; secretAccessKey: string };
  region?: string;
}

/** The v3 Kinesis client as users build it: its default handler talks HTTP/2 (h2c), which the server speaks. */
export function kinesisClient(url: string, options: ClientOptions = {}): KinesisClient {
  return new KinesisClient({ endpoint: url, region: options.region ?? "us-east-1", credentials: options.credentials ?? TEST_CREDENTIALS, maxAttempts: 1 });
}

export function firehoseClient(url: string, options: ClientOptions = {}): FirehoseClient {
  return new FirehoseClient({ endpoint: url, region: options.region ?? "us-east-1", credentials: options.credentials ?? TEST_CREDENTIALS, maxAttempts: 1 });
}

export function lambdaClient(url: string, options: ClientOptions = {}): LambdaClient {
  return new LambdaClient({ endpoint: url, region: options.region ?? "us-east-1", credentials: options.credentials ?? TEST_CREDENTIALS, maxAttempts: 1 });
}

export function athenaClient(url: string, options: ClientOptions = {}): AthenaClient {
  return new AthenaClient({ endpoint: url, region: options.region ?? "us-east-1", credentials: options.credentials ?? TEST_CREDENTIALS, maxAttempts: 1 });
}

/** The v3 SQS client (JSON 1.0), with the SDK's own MD5 checks of received and sent bodies left on. */
export function sqsClient(url: string, options: ClientOptions = {}): SQSClient {
  return new SQSClient({ endpoint: url, region: options.region ?? "us-east-1", credentials: options.credentials ?? TEST_CREDENTIALS, maxAttempts: 1 });
}

/** The AWS error name a rejected SDK call carries, and the error itself for the members the SDK put on it. */
export async function awsErrorOf(
  call: Promise<unknown>,
): Promise<{ name: string; status: number | undefined; message: string; fields: Readonly<Record<string, unknown>> }> {
  try {
    await call;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message, fields: error as Record<string, unknown> };
  }
  throw new Error("expected the call to fail");
}

let counter = 0;

/** A valid shop event (the envelope ingest checks), unique per call. */
export function shopEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter++;
  return {
    event_id: `aws-ev-${process.pid}-${Date.now()}-${counter}`,
    type: "page_view",
    occurred_at: new Date().toISOString(),
    payload: { session_id: `s-${counter}`, customer_id: "C000001", page: "/products/P0001" },
    ...overrides,
  };
}

/**
 * The AWS CLI v2 (/usr/bin/aws) pointed at a test server with --endpoint-url, in a clean environment (no
 * profile, no pager): `json(...)` expects success and parses stdout, `error(...)` expects failure and
 * answers the AWS error code the CLI prints.
 */
export function awsCliRunner(url: string, options: { cwd?: string } = {}) {
  const env = {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    HOME: process.env["HOME"] ?? "/tmp",
    AWS_ACCESS_KEY_ID: "AKIDCLI",
    AWS_SECRET_ACCESS_KEY: "cli-secret",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_REGION: "us-east-1",
    AWS_PAGER: "",
    AWS_CONFIG_FILE: "/nonexistent/aws-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
  };
  const call = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const { stdout, stderr } = await promisify(execFile)(AWS_CLI_PATH, ["--endpoint-url", url, "--output", "json", "--cli-binary-format", "raw-in-base64-out", ...args], {
        env,
        timeout: 60_000,
        ...(options.cwd !== undefined && { cwd: options.cwd }),
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === "number" ? e.code : 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
    }
  };
  return {
    call,
    async json(...args: string[]): Promise<Record<string, any>> {
      const result = await call(...args);
      assert.equal(result.code, 0, `aws ${args.join(" ")}: ${result.stderr}`);
      return result.stdout.trim() === "" ? {} : (JSON.parse(result.stdout) as Record<string, any>);
    },
    async error(...args: string[]): Promise<string> {
      const result = await call(...args);
      assert.notEqual(result.code, 0, `aws ${args.join(" ")} should fail`);
      // Query codes have dots: AWS.SimpleQueueService.NonExistentQueue.
      return /An error occurred \(([\w.]+)\)/.exec(result.stderr)?.[1] ?? result.stderr;
    },
  };
}
