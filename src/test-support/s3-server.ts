// A real S3-compatible server for tests: s3rver (a devDependency, an HTTP server speaking S3's REST API with
// SigV4 checks, storing objects in a directory), spawned as its own process on a free loopback port with
// a temporary directory, and stopped afterwards. s3Server() in backends.ts says whether it can run here.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { createS3Client, s3StoreConfig, type S3StoreConfig } from "../lake/index.js";
import { makeTempDir, removeDir } from "./temp-dir.js";

/** s3rver's fixed credentials: it checks every request's SigV4 signature against them. */
const ACCESS_KEY_ID = "S3RVER";
const SECRET_ACCESS_KEY = "S3RVER";
const START_TIMEOUT_MS = 15_000;

export interface S3TestServer {
  endpoint: string;
  /** a lake s3 config for `bucket` on this server (path-style, its credentials) */
  config(bucket: string, overrides?: Partial<S3StoreConfig>): S3StoreConfig;
  /** a fresh bucket with a random name */
  createBucket(): Promise<string>;
  /** an S3 client of the server, for checking what is in a bucket */
  client(): S3Client;
  stop(): Promise<void>;
}

/** The s3rver command line script, from the installed package. */
export function s3rverScript(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("s3rver/package.json")), "bin", "s3rver.js");
}

export async function startS3Server(): Promise<S3TestServer> {
  const dataDir = makeTempDir("shopstream-s3rver-");
  // s3rver signs ListObjectsV2 continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider.
  const child = spawn(process.execPath, ["--openssl-legacy-provider", s3rverScript(), "--directory", dataDir, "--address", "127.0.0.1", "--port", "0", "--silent"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let port: number;
  try {
    port = await listeningPort(child);
  } catch (error) {
    child.kill("SIGKILL");
    removeDir(dataDir);
    throw error;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const config = (bucket: string, overrides: Partial<S3StoreConfig> = {}): S3StoreConfig =>
    s3StoreConfig({ bucket, endpoint, region: "us-east-1", forcePathStyle: true, accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY, ...overrides });
  const clients: S3Client[] = [];
  const client = (): S3Client => {
    const made = createS3Client(config("unused"));
    clients.push(made);
    return made;
  };
  return {
    endpoint,
    config,
    client,
    async createBucket() {
      const bucket = `t-${randomBytes(6).toString("hex")}`;
      const admin = client();
      await admin.send(new CreateBucketCommand({ Bucket: bucket }));
      return bucket;
    },
    async stop() {
      for (const made of clients) made.destroy();
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      removeDir(dataDir);
    },
  };
}

/** Reads "S3rver listening on 127.0.0.1:PORT" from the child's output. */
function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`s3rver did not start within ${START_TIMEOUT_MS} ms: ${output}`)), START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on [^\s:]+:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with code ${code} before listening: ${output}`));
    });
  });
}
