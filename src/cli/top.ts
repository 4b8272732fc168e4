// `shopstream top`: a live terminal view of a running pipeline, polling GET /v1/pipeline: throughput, lag
// and errors per component, consumer lag, queues, lake freshness and alarm states. `--once` prints one frame.
import type { Command } from "commander";
import { formatResult } from "../analytics/index.js";
import { answerMessage, keyRefusal, UnauthorizedError } from "../errors/index.js";
import type { AlarmList, PipelineHealth } from "../server/pipeline-routes.js";
import { apiKeyHeaders, apiKeyOption } from "./api-key-option.js";
import { action, parseIntegerOption, UsageError } from "./errors.js";

interface TopOptions {
  url: string;
  interval: number;
  once?: boolean;
  apiKey?: string;
}

const CLEAR_SCREEN = "\x1b[2J\x1b[H";

export function registerTop(program: Command): void {
  program
    .command("top")
    .description("live view of a running pipeline: throughput, lag and errors per component, queues, lake and alarms")
    .option("--url <url>", "the server of `shopstream up`", "http://127.0.0.1:4566")
    .option("--interval <seconds>", "seconds between refreshes", parseIntegerOption("--interval", 1, 3600), 2)
    .option("--once", "print one frame and exit")
    .addOption(apiKeyOption("read"))
    .action(
      action(async (options: TopOptions) => {
        const base = options.url.replace(/\/+$/, "");
        if (!/^https?:\/\//.test(base)) throw new UsageError(`--url: expected an http:// or https:// URL, got ${options.url}`);
        if (options.once) {
          process.stdout.write(await frame(base, options.apiKey));
          return;
        }
        for (;;) {
          let text: string;
          try {
            text = await frame(base, options.apiKey);
          } catch (error) {
            // A refused key stays refused: stop with it rather than retry.
            if (error instanceof UnauthorizedError) throw error;
            text = `shopstream top: ${(error as Error).message} (retrying every ${options.interval} s; Ctrl-C to quit)\n`;
          }
          process.stdout.write(CLEAR_SCREEN + text);
          await new Promise((resolve) => setTimeout(resolve, options.interval * 1000));
        }
      }),
    );
}

async function getJson<T>(url: string, apiKey: string | undefined): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { headers: apiKeyHeaders(apiKey), signal: AbortSignal.timeout(5_000) });
  } catch (error) {
    const cause = (error as Error).cause as { code?: string; message?: string } | undefined;
    throw new Error(`cannot reach ${new URL(url).origin} (${cause?.code ?? cause?.message ?? (error as Error).message}): is \`shopstream up\` running there?`);
  }
  if (!response.ok) {
    const text = await response.text();
    throw keyRefusal(response.status, url, text) ?? new Error(`${url} answered HTTP ${response.status}: ${answerMessage(text)}`);
  }
  return (await response.json()) as T;
}

/** One screen: the pipeline's figures as tables. */
export async function frame(base: string, apiKey?: string): Promise<string> {
  const [health, alarms] = await Promise.all([getJson<PipelineHealth>(`${base}/v1/pipeline`, apiKey), getJson<AlarmList>(`${base}/v1/alarms`, apiKey)]);
  const sections = [
    `shopstream top · ${base} · ${health.at}` +
      ` · alarms: ${health.alarms.ALARM} ALARM, ${health.alarms.OK} OK, ${health.alarms.INSUFFICIENT_DATA} INSUFFICIENT_DATA`,
    table(
      ["component", "in/s", "out/s", "errors/s", "received", "sent", "errors", "discarded", "lag"],
      health.components.map((c) => [
        c.component,
        c.received_per_sec,
        c.sent_per_sec,
        c.errors_per_sec,
        c.received_total,
        c.sent_total,
        c.errors_total,
        c.discarded_total,
        health.consumers.find((consumer) => consumer.consumer === c.component)?.lag_records ?? health.queues.find((q) => `queue:${q.name}` === c.component)?.visible ?? "",
      ]),
    ),
    table(
      ["consumer", "stream", "lag_records", "iterator_age_ms"],
      health.consumers.map((c) => [c.consumer, c.stream, c.lag_records, c.iterator_age_ms]),
    ),
    table(
      ["queue", "visible", "in_flight", "delayed", "dead_letter_for"],
      health.queues.map((q) => [q.name, q.visible, q.in_flight, q.delayed, q.dead_letter_for.join(", ")]),
    ),
    table(
      ["lake table", "files", "records", "freshness_s"],
      health.lake.map((t) => [t.table, t.files, t.records, t.freshness_ms === null ? "" : Math.round(t.freshness_ms / 100) / 10]),
    ),
    table(
      ["alarm", "state", "since"],
      alarms.alarms.map((a) => [a.name, a.state, a.stateUpdatedAt]),
    ),
  ];
  return `${sections.join("\n\n")}\n`;
}

function table(columns: string[], rows: Array<Array<string | number>>): string {
  return formatResult(
    {
      columns: columns.map((name, i) => ({ name, type: rows.some((row) => typeof row[i] === "number") ? "DOUBLE" : "VARCHAR" })),
      rows,
    },
    "table",
  );
}
