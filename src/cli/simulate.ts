// `shopstream simulate`: seeded e-commerce traffic, either written to an NDJSON file (byte-identical for a
// seed) or sent live to a shopstream ingest endpoint at a steady rate.
import cliProgress from "cli-progress";
import { Command, InvalidArgumentError } from "commander";
import {
  DEFAULT_CATALOG_SEED,
  DEFAULT_LIVE_SPEED,
  DEFAULT_TRAFFIC_START_MS,
  EventTally,
  createTrafficGenerator,
  generateCatalog,
  httpSink,
  runSimulator,
  writeEventsNdjson,
  type TrafficGenerator,
} from "../simulator/index.js";
import { apiKeyHeaders, apiKeyOption } from "./api-key-option.js";
import { UsageError, action, parseIntegerOption, parseNumberOption } from "./errors.js";

/** Options as commander hands them over, already converted by the option parsers. */
export interface SimulateCliOptions {
  seed: number;
  catalogSeed: number;
  count?: number;
  output?: string;
  target?: string;
  rate?: number;
  /** --duration, in ms */
  duration?: number;
  speed?: number;
  /** --start, ms since the epoch */
  start?: number | "now";
  /** --snapshot-interval, in ms */
  snapshotInterval?: number;
  /** --api-key or $SHOPSTREAM_API_KEY */
  apiKey?: string;
}

const DEFAULT_FILE_COUNT = 10_000;
const DEFAULT_LIVE_RATE_PER_SEC = 100;
const LIVE_STATUS_EVERY_MS = 10_000;
const UINT32_MAX = 4_294_967_295;

/** commander exits 1 on usage errors; shopstream's convention (see UsageError) is 2. */
class UsageExitCommand extends Command {
  override error(message: string, errorOptions?: { code?: string; exitCode?: number }): never {
    return super.error(message, { ...errorOptions, exitCode: 2 });
  }
}

export function registerSimulate(program: Command): void {
  const command = new UsageExitCommand("simulate").copyInheritedSettings(program);
  program.addCommand(
    command
      .description("generate seeded e-commerce traffic: write it to an NDJSON file, or send it live to shopstream")
      .option("--seed <n>", "traffic seed; the same seed gives the same events", parseIntegerOption("--seed", 0, UINT32_MAX), 1)
      .option("--count <n>", `number of events (file mode default ${DEFAULT_FILE_COUNT}; live mode: stop after this many)`, parseIntegerOption("--count", 1, 1_000_000_000))
      .option("--output <file.ndjson>", "write events to this file, one JSON object per line")
      .option("--target <url>", "send events to this shopstream server, e.g. http://127.0.0.1:4566")
      .addOption(apiKeyOption("ingest"))
      .option("--rate <events/s>", `live mode: events per second (default ${DEFAULT_LIVE_RATE_PER_SEC})`, parseNumberOption("--rate", 0.01, 1_000_000))
      .option("--duration <time>", "live mode: how long to send, e.g. 30s, 5m, 1h or 1500ms (default: until Ctrl-C)", parseDurationOption)
      .option("--speed <x>", `live mode: shop time per real time (default ${DEFAULT_LIVE_SPEED})`, parseNumberOption("--speed", 0.001, 100_000))
      .option("--catalog-seed <n>", "seed of the catalog the server knows", parseIntegerOption("--catalog-seed", 0, UINT32_MAX), DEFAULT_CATALOG_SEED)
      .option("--start <iso>", `shop time of the first event, RFC 3339 or "now" (default ${new Date(DEFAULT_TRAFFIC_START_MS).toISOString()} for files, now for live)`, parseStartOption)
      .option("--snapshot-interval <time>", "how often each store reports its stock, in shop time (default 1h, longer at low live rates)", parseDurationOption)
      .action(
        action(async (options: SimulateCliOptions, self: Command) => {
          const print = (text: string) => (self.configureOutput().writeOut ?? ((s: string) => process.stdout.write(s)))(text);
          const plan = planSimulation(options);
          if (plan.mode === "file") await writeFile(plan, print);
          else await sendLive(plan, print);
        }),
      ),
  );
}

/** "30s", "5m", "1h", "1500ms" or a bare number of milliseconds. */
export function parseDurationMs(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  if (!match) return undefined;
  const unitMs = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[(match[2] ?? "ms").toLowerCase() as "ms" | "s" | "m" | "h"];
  return Math.round(Number(match[1]) * unitMs);
}

function parseDurationOption(value: string): number {
  const ms = parseDurationMs(value);
  if (ms === undefined || ms <= 0) throw new InvalidArgumentError("expected a duration such as 30s, 5m, 1h or 1500ms.");
  return ms;
}

function parseStartOption(value: string): number | "now" {
  if (value === "now") return "now";
  // A zone is required: a bare local time would make the same command give different files on different machines.
  if (!/^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2}))?$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError('expected an RFC 3339 time with a zone, e.g. 2026-01-05T08:00:00Z, or "now".');
  }
  return Date.parse(value);
}

type Plan =
  | { mode: "file"; seed: number; catalogSeed: number; startMs: number; snapshotIntervalMs?: number; count: number; output: string }
  | {
      mode: "live";
      seed: number;
      catalogSeed: number;
      startMs: number;
      snapshotIntervalMs?: number;
      target: string;
      apiKey?: string;
      ratePerSec: number;
      speed: number;
      durationMs?: number;
      count?: number;
    };

/** Checks how the options combine (each value was checked by its parser) and fills in mode defaults. */
export function planSimulation(options: SimulateCliOptions): Plan {
  if ((options.output === undefined) === (options.target === undefined)) {
    throw new UsageError("simulate needs exactly one of --output <file.ndjson> or --target <url>");
  }
  const nowMs = Date.now();
  const resolveStart = (fallbackMs: number) => (options.start === "now" ? nowMs : (options.start ?? fallbackMs));
  const common = {
    seed: options.seed,
    catalogSeed: options.catalogSeed,
    ...(options.snapshotInterval !== undefined ? { snapshotIntervalMs: options.snapshotInterval } : {}),
  };
  if (options.output !== undefined) {
    const liveOnly = (["rate", "duration", "speed"] as const).filter((key) => options[key] !== undefined);
    if (liveOnly.length > 0) {
      const flags = liveOnly.map((key) => `--${key}`).join(", ");
      throw new UsageError(`${flags} ${liveOnly.length === 1 ? "applies" : "apply"} only when sending with --target`);
    }
    return { mode: "file", ...common, startMs: resolveStart(DEFAULT_TRAFFIC_START_MS), count: options.count ?? DEFAULT_FILE_COUNT, output: options.output };
  }
  const target = options.target as string;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new UsageError(`--target must be an http(s) URL such as http://127.0.0.1:4566, got "${target}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`--target must be an http(s) URL such as http://127.0.0.1:4566, got "${target}"`);
  }
  // Live traffic defaults to starting now, so dashboards and event-time windows show it as current.
  const plan: Plan = {
    mode: "live",
    ...common,
    startMs: resolveStart(nowMs),
    target,
    ratePerSec: options.rate ?? DEFAULT_LIVE_RATE_PER_SEC,
    speed: options.speed ?? DEFAULT_LIVE_SPEED,
  };
  if (options.apiKey !== undefined) plan.apiKey = options.apiKey;
  if (options.duration !== undefined) plan.durationMs = options.duration;
  if (options.count !== undefined) plan.count = options.count;
  return plan;
}

type Print = (text: string) => void;

function buildGenerator(plan: Plan): TrafficGenerator {
  return createTrafficGenerator({
    seed: plan.seed,
    catalog: generateCatalog(plan.catalogSeed),
    startMs: plan.startMs,
    ...(plan.snapshotIntervalMs !== undefined ? { snapshotIntervalMs: plan.snapshotIntervalMs } : {}),
    ...(plan.mode === "live" ? { speed: plan.speed, ratePerSec: plan.ratePerSec } : {}),
  });
}

async function writeFile(plan: Extract<Plan, { mode: "file" }>, print: Print): Promise<void> {
  const generator = buildGenerator(plan);
  const bar = process.stdout.isTTY
    ? new cliProgress.SingleBar({ format: "simulate [{bar}] {percentage}% | {value}/{total} events | ETA {eta_formatted}", hideCursor: true }, cliProgress.Presets.shades_classic)
    : undefined;
  bar?.start(plan.count, 0);
  const startedMs = performance.now();
  let result;
  try {
    result = await writeEventsNdjson({ generator, count: plan.count, filePath: plan.output, onProgress: (written) => bar?.update(written) });
  } catch (error) {
    throw new Error(`cannot write ${plan.output}: ${(error as Error).message}`, { cause: error });
  } finally {
    bar?.stop();
  }
  const seconds = (performance.now() - startedMs) / 1_000;
  print(
    `wrote ${formatCount(result.events)} events (${formatBytes(result.bytes)}) to ${plan.output} in ${seconds.toFixed(2)} s ` +
      `(${formatCount(Math.round(result.events / Math.max(seconds, 1e-3)))} events/s)\n`,
  );
  print(`shop time ${result.firstOccurredAt ?? "-"} → ${result.lastOccurredAt ?? "-"}, seed ${plan.seed}, catalog seed ${plan.catalogSeed}\n`);
  print(formatTally(result.tally));
}

async function sendLive(plan: Extract<Plan, { mode: "live" }>, print: Print): Promise<void> {
  const generator = buildGenerator(plan);
  const sink = httpSink(plan.target, { headers: apiKeyHeaders(plan.apiKey) });
  const tally = new EventTally();
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    print("\nstopping after the batch in flight (press Ctrl-C again to quit at once)\n");
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  print(
    `sending ${formatCount(plan.ratePerSec)} events/s to ${sink.url} ${plan.durationMs !== undefined ? `for ${formatDuration(plan.durationMs)}` : "until Ctrl-C"}` +
      `${plan.count !== undefined ? ` (at most ${formatCount(plan.count)} events)` : ""}; ` +
      `shop clock ×${plan.speed} from ${new Date(plan.startMs).toISOString()}, seed ${plan.seed}, ` +
      `stores report stock every ${formatDuration(generator.snapshotIntervalMs)} of shop time\n`,
  );
  let nextStatusMs = LIVE_STATUS_EVERY_MS;
  let progress;
  try {
    progress = await runSimulator({
      generator,
      ratePerSec: plan.ratePerSec,
      sink,
      signal: controller.signal,
      ...(plan.durationMs !== undefined ? { durationMs: plan.durationMs } : {}),
      ...(plan.count !== undefined ? { maxEvents: plan.count } : {}),
      onBatch: (state, batch) => {
        tally.add(batch);
        if (state.elapsedMs < nextStatusMs) return;
        nextStatusMs += LIVE_STATUS_EVERY_MS;
        print(
          `  ${formatDuration(state.elapsedMs)}: ${formatCount(state.sent)} sent, ${formatCount(sink.stats.accepted)} accepted, ` +
            `${formatCount(sink.stats.rejected)} rejected, shop time ${new Date(state.shopTimeMs).toISOString()}\n`,
        );
      },
    });
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
  const seconds = progress.elapsedMs / 1_000;
  const { accepted, rejected, retries, waitedMs, sampleRejections } = sink.stats;
  print(
    `sent ${formatCount(progress.sent)} events in ${seconds.toFixed(1)} s (${formatCount(Math.round(progress.sent / Math.max(seconds, 1e-3)))} events/s): ` +
      `${formatCount(accepted)} accepted, ${formatCount(rejected)} rejected, ${retries} retries (${formatDuration(waitedMs)} waiting)\n`,
  );
  print(`shop time ${new Date(generator.startMs).toISOString()} → ${new Date(progress.shopTimeMs).toISOString()}\n`);
  print(formatTally(tally));
  if (rejected > 0) {
    throw new Error(`${formatCount(rejected)} events were rejected, e.g. ${sampleRejections.join("; ")}`);
  }
}

function formatTally(tally: EventTally): string {
  return tally
    .byType()
    .map(([type, count]) => `  ${type.padEnd(24)}${formatCount(count).padStart(12)}\n`)
    .join("");
}

const formatCount = (n: number): string => n.toLocaleString("en-US");

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  if (ms < 7_200_000) return `${(ms / 60_000).toFixed(1)}m`;
  return `${(ms / 3_600_000).toFixed(1)}h`;
}
