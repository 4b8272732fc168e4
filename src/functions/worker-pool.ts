// A small pool of worker threads for one Lambda handler: Lambda's execution environments. Workers start
// on demand (a cold start loads the handler once) and are reused; each runs one invocation at a time.
// A worker that overruns the timeout is terminated; one that exits or dies of an uncaught exception fails
// its invocation with the error. Either way it is replaced on the next demand, and nothing else notices.
import { randomUUID } from "node:crypto";
import { extname } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { ConfigError } from "../errors/index.js";
import type { Logger } from "../monitor/index.js";
import { AWS_REGION } from "./arn.js";
import { RuntimeErrorType, timeoutError, toFunctionError, type FunctionError, type InvocationOutcome } from "./invocation.js";
import { logGroupName, newLogStreamName } from "./lambda-context.js";
import type { HandlerLocation } from "./types.js";
import type { HandlerWorkerData, InvokeReply, InvokeRequest, WorkerInit } from "./worker-protocol.js";

/** Lambda's limit on the init phase (loading the handler module and its top-level code). */
const INIT_TIMEOUT_MS = 10_000;
const TYPESCRIPT = /\.[mc]?ts$/;

// This module's own extension: .ts when shopstream runs from source through tsx, .js when compiled.
const WORKER_ENTRY = new URL(`./handler-worker${extname(new URL(import.meta.url).pathname)}`, import.meta.url);

// Workers start from this script rather than from the entry file so that tsx can be registered first,
// only when TypeScript has to load: the entry when running from source, or a .ts handler.
const BOOTSTRAP = `
const { workerData } = require("node:worker_threads");
(async () => {
  for (const url of workerData.tsxUrls ?? []) (await import(url)).register();
  await import(workerData.entryUrl);
})();
`;

export interface WorkerPoolOptions {
  functionName: string;
  handler: HandlerLocation;
  timeoutMs: number;
  memorySizeMb: number;
  environment: Record<string, string>;
  /** most workers, i.e. most invocations at once */
  maxWorkers: number;
  log: Logger;
}

export type InvokePayload = InvokeRequest["payload"];

interface Invocation {
  requestId: string;
  finish(outcome: InvocationOutcome): void;
}

class HandlerWorker {
  /** false once terminated or crashed: it takes no more invocations */
  alive = true;
  loaded = false;
  current: Invocation | undefined;
  /** resolves when the handler is loaded, or with why it could not be */
  readonly ready: Promise<WorkerInit>;
  /** settles `ready`; later calls do nothing */
  readonly settleInit: (init: WorkerInit) => void;

  constructor(readonly thread: Worker) {
    let settle!: (init: WorkerInit) => void;
    this.ready = new Promise<WorkerInit>((resolve) => (settle = resolve));
    this.settleInit = settle;
  }
}

export class WorkerPool {
  private readonly workers = new Set<HandlerWorker>();
  private readonly idle: HandlerWorker[] = [];
  private readonly waiting: Array<(worker: HandlerWorker | undefined) => void> = [];
  /** what every worker gets, but its log stream name */
  private readonly workerData: Omit<HandlerWorkerData, "logStreamName"> & { entryUrl: string };
  private readonly env: Record<string, string>;
  private closed = false;

  constructor(private readonly options: WorkerPoolOptions) {
    const needsTsx = TYPESCRIPT.test(WORKER_ENTRY.pathname) || TYPESCRIPT.test(options.handler.file);
    const tsxUrls = needsTsx ? resolveTsx(options.functionName) : undefined;
    this.workerData = {
      entryUrl: WORKER_ENTRY.href,
      functionName: options.functionName,
      handlerUrl: pathToFileURL(options.handler.file).href,
      exportName: options.handler.exportName,
      memorySizeMb: options.memorySizeMb,
      logGroupName: logGroupName(options.functionName),
      ...(tsxUrls && { tsxUrls }),
    };
    this.env = lambdaEnvironment(options);
  }

  /** Runs one invocation in a free worker, waiting for one if all are busy. Whatever the handler does,
   * even hanging or crashing its worker, ends as an outcome. */
  async invoke(payload: InvokePayload, transfer: ArrayBuffer[] = []): Promise<InvocationOutcome> {
    const requestId = randomUUID();
    const worker = await this.acquire();
    if (!worker) return { ok: false, requestId, error: shutdownError() };
    const init = await worker.ready;
    if (init.type === "init-error") {
      this.discard(worker);
      return { ok: false, requestId, error: init.error };
    }
    return new Promise<InvocationOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.options.log.error({ requestId, timeoutMs: this.options.timeoutMs }, "handler timed out; its worker is terminated");
        this.discard(worker);
        worker.current?.finish({ ok: false, requestId, error: timeoutError(requestId, this.options.timeoutMs) });
      }, this.options.timeoutMs);
      worker.current = {
        requestId,
        finish: (outcome) => {
          clearTimeout(timer);
          worker.current = undefined;
          resolve(outcome);
          this.release(worker);
        },
      };
      const request: InvokeRequest = { requestId, deadlineMs: Date.now() + this.options.timeoutMs, payload };
      worker.thread.postMessage(request, transfer);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.waiting.splice(0)) wake(undefined);
    const threads = [...this.workers].map((worker) => {
      worker.alive = false;
      worker.settleInit({ type: "init-error", error: shutdownError() });
      worker.current?.finish({ ok: false, requestId: worker.current.requestId, error: shutdownError() });
      return worker.thread.terminate();
    });
    this.workers.clear();
    this.idle.length = 0;
    await Promise.all(threads);
  }

  /** A free worker: an idle one, a new one while under maxWorkers, or the next one released. */
  private async acquire(): Promise<HandlerWorker | undefined> {
    for (;;) {
      if (this.closed) return undefined;
      const idle = this.idle.pop();
      if (idle) return idle;
      if (this.workers.size < this.options.maxWorkers) return this.spawn();
      // Handed a worker by release(), or woken without one (a worker was discarded: room to spawn).
      const released = await new Promise<HandlerWorker | undefined>((resolve) => this.waiting.push(resolve));
      if (released) return released;
    }
  }

  private release(worker: HandlerWorker): void {
    if (!worker.alive) return;
    const next = this.waiting.shift();
    if (next) next(worker);
    else this.idle.push(worker);
  }

  /** Takes a worker out of service for good; a caller waiting for one may now start a fresh one. */
  private discard(worker: HandlerWorker): void {
    if (!worker.alive) return;
    worker.alive = false;
    this.workers.delete(worker);
    const idleAt = this.idle.indexOf(worker);
    if (idleAt !== -1) this.idle.splice(idleAt, 1);
    void worker.thread.terminate();
    this.waiting.shift()?.(undefined);
  }

  private spawn(): HandlerWorker {
    const log = this.options.log;
    const logStreamName = newLogStreamName();
    const thread = new Worker(BOOTSTRAP, {
      eval: true,
      // The parent's flags (--import tsx, --test, …) are not the handler's business; the bootstrap
      // registers what the worker needs.
      execArgv: [],
      env: { ...this.env, AWS_LAMBDA_LOG_STREAM_NAME: logStreamName },
      workerData: { ...this.workerData, logStreamName },
      resourceLimits: { maxOldGenerationSizeMb: this.options.memorySizeMb },
      stdout: true,
      stderr: true,
      name: `function:${this.options.functionName}`,
    });
    const worker = new HandlerWorker(thread);
    const initTimer = setTimeout(() => {
      worker.settleInit({ type: "init-error", error: { errorType: RuntimeErrorType.timeout, errorMessage: `Init phase timed out after ${INIT_TIMEOUT_MS / 1000} seconds` } });
    }, INIT_TIMEOUT_MS);
    void worker.ready.then((init) => {
      clearTimeout(initTimer);
      worker.loaded = init.type === "ready";
      if (init.type === "init-error") log.error({ error: init.error }, "handler failed to load");
    });

    // Console output is the handler's log (CloudWatch on AWS): it goes to the function's logger, tagged
    // with the invocation it most likely belongs to, and never onto shopstream's own stdout.
    for (const [stream, level] of [[thread.stdout, "info"], [thread.stderr, "warn"]] as const) {
      createInterface({ input: stream, crlfDelay: Infinity }).on("line", (line) => {
        log[level]({ requestId: worker.current?.requestId, output: stream === thread.stdout ? "stdout" : "stderr" }, line);
      });
    }
    thread.on("message", (message: WorkerInit | InvokeReply) => {
      if ("type" in message) return worker.settleInit(message);
      const current = worker.current;
      if (!current || current.requestId !== message.requestId) return;
      current.finish(message.ok ? { ok: true, requestId: message.requestId, response: JSON.parse(message.responseJson) } : message);
    });
    thread.on("error", (error) => this.crashed(worker, crashError(error)));
    thread.on("exit", (code) => {
      if (!worker.alive) return; // terminated on purpose
      const error = { errorType: RuntimeErrorType.exit, errorMessage: `Runtime exited with error: exit status ${code}` };
      this.crashed(worker, error);
    });
    this.workers.add(worker);
    return worker;
  }

  private crashed(worker: HandlerWorker, error: FunctionError): void {
    worker.settleInit({ type: "init-error", error });
    const current = worker.current;
    const inService = worker.alive && worker.loaded;
    this.discard(worker);
    if (current) {
      this.options.log.error({ requestId: current.requestId, error }, "worker crashed during an invocation; it is replaced");
      current.finish({ ok: false, requestId: current.requestId, error: { ...error, errorMessage: `RequestId: ${current.requestId} Error: ${error.errorMessage}` } });
    } else if (inService) {
      this.options.log.error({ error }, "idle worker crashed (an error after its invocation finished); it is replaced");
    }
  }
}

function crashError(error: Error): FunctionError {
  if ((error as NodeJS.ErrnoException).code === "ERR_WORKER_OUT_OF_MEMORY") {
    return { errorType: RuntimeErrorType.outOfMemory, errorMessage: error.message };
  }
  return toFunctionError(error);
}

function shutdownError(): FunctionError {
  return { errorType: RuntimeErrorType.shutdown, errorMessage: "the function runtime is shutting down" };
}

/**
 * tsx's loader APIs, which TypeScript handlers (and this entry, from source) need in the worker: the ESM
 * one, and the CommonJS one for a .ts file whose package scope is CommonJS (no "type": "module"), as a
 * handler in its own folder often is.
 */
function resolveTsx(functionName: string): string[] {
  try {
    return [import.meta.resolve("tsx/esm/api"), import.meta.resolve("tsx/cjs/api")];
  } catch {
    throw new ConfigError(`functions.${functionName}.handler: a TypeScript handler needs tsx installed (npm install tsx), or point it at compiled JavaScript`);
  }
}

/** A handler sees Lambda's environment and its own variables, not shopstream's (which may hold secrets). */
function lambdaEnvironment(options: WorkerPoolOptions): Record<string, string> {
  const inherited = Object.fromEntries(
    ["PATH", "LANG", "TZ"].flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]!]])),
  );
  return {
    ...inherited,
    ...options.environment,
    AWS_REGION,
    AWS_DEFAULT_REGION: AWS_REGION,
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split(".")[0]}.x`,
    AWS_LAMBDA_FUNCTION_NAME: options.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memorySizeMb),
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupName(options.functionName),
    LAMBDA_TASK_ROOT: new URL(".", pathToFileURL(options.handler.file)).pathname,
    _HANDLER: `${options.handler.file}#${options.handler.exportName}`,
  };
}
