// Whether an external backend a suite needs is here. Locally a missing one skips its suite with a printed
// reason; with CI=true it is a failure, so CI never passes by skipping.
import { existsSync } from "node:fs";

export const CHROMIUM_PATH = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";

export interface Availability {
  /** undefined when available; else why the suite is skipped */
  skip: string | undefined;
}

function decide(available: boolean, reason: string): Availability {
  if (available) return { skip: undefined };
  if (process.env["CI"] === "true") throw new Error(`CI=true and ${reason}; .ci/run installs it`);
  process.stderr.write(`skipping: ${reason}\n`);
  return { skip: reason };
}

export function chromium(): Availability {
  return decide(existsSync(CHROMIUM_PATH), `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install chromium)`);
}

export const AWS_CLI_PATH = process.env["AWS_CLI_PATH"] ?? "/usr/bin/aws";

/** The AWS CLI v2 (Debian's awscli); not the pyenv v1 `aws` that may come first on the PATH. */
export function awsCli(): Availability {
  return decide(existsSync(AWS_CLI_PATH), `the AWS CLI v2 is not installed at ${AWS_CLI_PATH} (apt-get install awscli)`);
}

/** The PostgreSQL the suites use: trust auth on 127.0.0.1, as .ci/run sets it up. */
export const POSTGRES_URL = process.env["SHOPSTREAM_TEST_POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** Connects once (2 s at most) and runs SELECT 1, so a server that is up but refuses us counts as missing. */
export async function postgres(): Promise<Availability> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  let problem: string | undefined;
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (error) {
    problem = error instanceof Error ? error.message || error.name : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
  return decide(problem === undefined, `PostgreSQL is not reachable at ${POSTGRES_URL} (${problem}; set SHOPSTREAM_TEST_POSTGRES_URL or start it)`);
}

/** The NATS server (with JetStream) the suites use, as .ci/run starts it. */
export const NATS_SERVERS = process.env["SHOPSTREAM_TEST_NATS_SERVERS"] ?? "127.0.0.1:4222";

/** Connects once (1 s at most) and asks for the JetStream account info, so a server without -js counts as missing. */
export async function nats(): Promise<Availability> {
  const { connect } = await import("@nats-io/transport-node");
  const { jetstreamManager } = await import("@nats-io/jetstream");
  let problem: string | undefined;
  try {
    const nc = await connect({ servers: NATS_SERVERS, timeout: 1000, reconnect: false });
    try {
      await (await jetstreamManager(nc, { timeout: 1000 })).getAccountInfo();
    } finally {
      await nc.close();
    }
  } catch (error) {
    problem = error instanceof Error ? error.message || error.name : String(error);
  }
  return decide(problem === undefined, `NATS with JetStream is not reachable at ${NATS_SERVERS} (${problem}; set SHOPSTREAM_TEST_NATS_SERVERS or start nats-server -js)`);
}

/**
 * The nats-server binary (2.9 or newer), for suites that start and restart a server of their own
 * (test-support/nats-server.ts).
 */
export async function natsServerBinary(): Promise<Availability> {
  const { natsServerBinary: binary } = await import("./nats-server.js");
  return decide(binary() !== undefined, "nats-server is not on the PATH (apt-get install nats-server, or set NATS_SERVER_BIN)");
}

/**
 * s3rver, the S3-compatible server the S3 lake suites start (test-support/s3-server.ts): a devDependency,
 * so `npm install` is all it needs.
 */
export async function s3Server(): Promise<Availability> {
  const { s3rverScript } = await import("./s3-server.js");
  let problem: string | undefined;
  try {
    if (!existsSync(s3rverScript())) problem = "its command line script is missing";
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
  }
  return decide(problem === undefined, `the S3-compatible test server s3rver cannot run (${problem}; npm install installs it, a devDependency)`);
}
