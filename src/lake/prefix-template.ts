// Firehose-style object key prefixes: literal text with `!{namespace:value}` expressions, parsed once when a
// delivery stream starts and rendered for every object it writes.
//
// Supported: !{timestamp:<pattern>} (Java DateTimeFormatter letters yyyy MM dd HH mm ss, in UTC),
// !{partitionKeyFromQuery:<key>} (a dynamic partitioning key), !{firehose:error-output-type} (error prefixes)
// and !{shopstream:table} (the lake table, for Parquet delivery streams). Firehose's
// !{firehose:random-string} is refused: object names must be deterministic, so that a retried flush
// rewrites the objects it wrote before instead of adding copies next to them.
import { ConfigError } from "../errors/index.js";
import { assertObjectKey } from "./object-key.js";

export type TimeUnit = "year" | "month" | "day" | "hour" | "minute" | "second";

interface TimeField {
  letters: string;
  unit: TimeUnit;
  render(date: Date): string;
}

const pad = (value: number, width: number) => String(value).padStart(width, "0");

const TIME_FIELDS: readonly TimeField[] = [
  { letters: "yyyy", unit: "year", render: (date) => pad(date.getUTCFullYear(), 4) },
  { letters: "MM", unit: "month", render: (date) => pad(date.getUTCMonth() + 1, 2) },
  { letters: "dd", unit: "day", render: (date) => pad(date.getUTCDate(), 2) },
  { letters: "HH", unit: "hour", render: (date) => pad(date.getUTCHours(), 2) },
  { letters: "mm", unit: "minute", render: (date) => pad(date.getUTCMinutes(), 2) },
  { letters: "ss", unit: "second", render: (date) => pad(date.getUTCSeconds(), 2) },
];

/** Coarse to fine: the finest unit a prefix uses is how far timestamps are truncated before grouping. */
const UNITS: readonly TimeUnit[] = ["year", "month", "day", "hour", "minute", "second"];

export type TemplatePart =
  | { kind: "literal"; text: string }
  | { kind: "timestamp"; pattern: ReadonlyArray<TimeField | string> }
  | { kind: "partitionKey"; key: string }
  | { kind: "table" }
  | { kind: "errorType" };

export type ExpressionKind = Exclude<TemplatePart["kind"], "literal">;

export interface PrefixTemplate {
  source: string;
  parts: readonly TemplatePart[];
}

export interface ParseOptions {
  /** the config path, for messages: `deliveryStreams.curated.prefix` */
  path: string;
  allowed: ReadonlySet<ExpressionKind>;
  /** every one of these must appear */
  required?: ReadonlySet<ExpressionKind>;
  /** the dynamic partitioning keys a prefix may name */
  keys?: ReadonlySet<string>;
}

export interface RenderValues {
  /** epoch ms of the timestamp the `timestamp` expressions format */
  timestampMs?: number;
  partitionKeys?: Readonly<Record<string, string>>;
  table?: string;
  errorType?: string;
}

const EXPRESSION = /!\{([^}]*)\}/g;

export function parsePrefixTemplate(source: string, options: ParseOptions): PrefixTemplate {
  const fail = (problem: string) => new ConfigError(`${options.path}: ${problem} in ${JSON.stringify(source)}`);
  // Objects are named <stream>-<shard>-<first>-<last> inside the prefix; a name glued to the prefix's last
  // segment could not be told apart from it.
  if (!source.endsWith("/")) throw fail("a prefix must end with /");
  const parts: TemplatePart[] = [];
  let literalStart = 0;
  for (const match of source.matchAll(EXPRESSION)) {
    if (match.index > literalStart) parts.push({ kind: "literal", text: source.slice(literalStart, match.index) });
    literalStart = match.index + match[0].length;
    const part = parseExpression(match[1] ?? "", options, fail);
    if (!options.allowed.has(part.kind)) throw fail(`!{${match[1]}} is not allowed here`);
    parts.push(part);
  }
  if (literalStart < source.length) parts.push({ kind: "literal", text: source.slice(literalStart) });
  for (const part of parts) {
    if (part.kind === "literal" && (part.text.includes("!{") || part.text.includes("}"))) throw fail("an unclosed or stray expression");
  }
  for (const kind of options.required ?? []) {
    if (!parts.some((part) => part.kind === kind)) throw fail(`${describeKind(kind)} is required`);
  }
  const template = { source, parts };
  // Every rendering must be a valid object key: checked once with stand-in values.
  try {
    assertObjectKey(`${renderPrefix(template, { timestampMs: 0, partitionKeys: new Proxy({}, { get: () => "x" }), table: "x", errorType: "x" })}name`);
  } catch (error) {
    throw fail(`it does not make valid object keys (${(error as Error).message})`);
  }
  return template;
}

function parseExpression(body: string, options: ParseOptions, fail: (problem: string) => ConfigError): Exclude<TemplatePart, { kind: "literal" }> {
  const colon = body.indexOf(":");
  const namespace = colon < 0 ? body : body.slice(0, colon);
  const value = colon < 0 ? "" : body.slice(colon + 1);
  switch (namespace) {
    case "timestamp":
      return { kind: "timestamp", pattern: parseTimePattern(value, fail) };
    case "partitionKeyFromQuery":
      if (!options.keys?.has(value)) {
        throw fail(`!{partitionKeyFromQuery:${value}} names no dynamicPartitioning key (declared: ${[...(options.keys ?? [])].join(", ") || "none"})`);
      }
      return { kind: "partitionKey", key: value };
    case "firehose":
      if (value === "error-output-type") return { kind: "errorType" };
      if (value === "random-string") {
        throw fail("!{firehose:random-string} is not supported: object names must be deterministic so that a retried flush replaces its objects");
      }
      throw fail(`unknown expression !{firehose:${value}}`);
    case "shopstream":
      if (value === "table") return { kind: "table" };
      throw fail(`unknown expression !{shopstream:${value}}`);
    default:
      throw fail(`unknown expression namespace in !{${body}}`);
  }
}

function parseTimePattern(pattern: string, fail: (problem: string) => ConfigError): Array<TimeField | string> {
  if (pattern === "") throw fail("!{timestamp:…} needs a pattern such as yyyy-MM-dd");
  const tokens: Array<TimeField | string> = [];
  for (let at = 0; at < pattern.length; ) {
    const char = pattern[at]!;
    if (!/[A-Za-z]/.test(char)) {
      tokens.push(char);
      at++;
      continue;
    }
    let end = at;
    while (pattern[end] === char) end++;
    const letters = pattern.slice(at, end);
    const field = TIME_FIELDS.find((candidate) => candidate.letters === letters);
    if (!field) throw fail(`unsupported timestamp pattern letters "${letters}" (supported: ${TIME_FIELDS.map((f) => f.letters).join(", ")})`);
    tokens.push(field);
    at = end;
  }
  return tokens;
}

function describeKind(kind: ExpressionKind): string {
  switch (kind) {
    case "timestamp":
      return "!{timestamp:…}";
    case "partitionKey":
      return "!{partitionKeyFromQuery:…}";
    case "table":
      return "!{shopstream:table}";
    case "errorType":
      return "!{firehose:error-output-type}";
  }
}

export function renderPrefix(template: PrefixTemplate, values: RenderValues): string {
  let key = "";
  for (const part of template.parts) {
    switch (part.kind) {
      case "literal":
        key += part.text;
        break;
      case "timestamp": {
        if (values.timestampMs === undefined) throw new Error(`${template.source}: no timestamp to render`);
        const date = new Date(values.timestampMs);
        for (const token of part.pattern) key += typeof token === "string" ? token : token.render(date);
        break;
      }
      case "partitionKey": {
        const value = values.partitionKeys?.[part.key];
        if (value === undefined) throw new Error(`${template.source}: no value for partition key ${part.key}`);
        key += value;
        break;
      }
      case "table":
        if (values.table === undefined) throw new Error(`${template.source}: no table to render`);
        key += values.table;
        break;
      case "errorType":
        if (values.errorType === undefined) throw new Error(`${template.source}: no error type to render`);
        key += values.errorType;
        break;
    }
  }
  return key;
}

/** The folders before the first expression: every key the template renders is under them. */
export function staticPrefix(template: PrefixTemplate): string {
  const first = template.parts[0];
  const text = first?.kind === "literal" ? first.text : "";
  return text.slice(0, text.lastIndexOf("/") + 1);
}

/** The dynamic partitioning keys the template names. */
export function partitionKeysOf(template: PrefixTemplate): string[] {
  return template.parts.flatMap((part) => (part.kind === "partitionKey" ? [part.key] : []));
}

/** Whether the template formats a timestamp. */
export function usesTimestamp(template: PrefixTemplate): boolean {
  return template.parts.some((part) => part.kind === "timestamp");
}

/**
 * The finest unit any of the templates formats, or undefined when none formats a timestamp. Records are
 * grouped by their timestamp truncated to it: all records of a group render the same prefix.
 */
export function finestTimeUnit(templates: readonly PrefixTemplate[]): TimeUnit | undefined {
  let finest = -1;
  for (const template of templates) {
    for (const part of template.parts) {
      if (part.kind !== "timestamp") continue;
      for (const token of part.pattern) if (typeof token !== "string") finest = Math.max(finest, UNITS.indexOf(token.unit));
    }
  }
  return finest < 0 ? undefined : UNITS[finest];
}
