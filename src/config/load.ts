// Loads a pipeline config: YAML → defaults → schema check. Errors name the file, line, column and path,
// and say what was expected: `pipeline.yaml:14:5 functions.orders.batchSize: expected an integer from 1
// to 10000, got "ten"`. Environment variables are interpolated only where the file asks, with ${env:NAME}.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { Kind, type TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { Value } from "@sinclair/typebox/value";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import { ConfigError } from "../errors/index.js";
import { resolveDeliveryStreams } from "../lake/delivery-stream.js";
import { pipelineConfigSchema, type PipelineConfig } from "./pipeline-schema.js";

const check = TypeCompiler.Compile(pipelineConfigSchema);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `override` over `base`, objects merged field by field, anything else (lists too) replaced. */
function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = key in base ? deepMerge(base[key], value) : value;
  return merged;
}

/**
 * A file that names a built-in entry of a map section (the `curated` delivery stream, the `orders`
 * function, …) overrides its fields; the built-in's other settings stay, so `curated: { enabled: false }`
 * keeps its partitioning. Entries the file adds are taken as they are.
 */
function overBuiltIns(config: Record<string, unknown>): Record<string, unknown> {
  const result = { ...config };
  for (const [section, schema] of Object.entries(pipelineConfigSchema.properties as Record<string, TSchema>)) {
    const builtIns = schema["patternProperties"] ? schema.default : undefined;
    const declared = result[section];
    if (!isPlainObject(builtIns) || !isPlainObject(declared)) continue;
    result[section] = Object.fromEntries(
      // Cloned: Value.Default fills defaults in place, and the built-ins belong to the schema.
      Object.entries(declared).map(([name, entry]) => [name, name in builtIns ? deepMerge(structuredClone(builtIns[name]), entry) : entry]),
    );
  }
  return result;
}
const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Replaces ${env:NAME} and ${env:NAME:-default} in string values; plain "$NAME" is left alone. */
function interpolate(value: unknown, env: NodeJS.ProcessEnv, path: string, problems: string[]): unknown {
  if (typeof value === "string") {
    return value.replace(ENV_REF, (_match, name: string, fallback: string | undefined) => {
      const found = env[name] ?? fallback;
      if (found === undefined) problems.push(`${path}: environment variable ${name} is not set and has no default`);
      return found ?? "";
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, `${path}[${i}]`, problems));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, path ? `${path}.${k}` : k, problems)]));
  }
  return value;
}

/** The YAML node at a JSON pointer path, for line numbers: the field's key, or the nearest existing ancestor. */
function nodeAt(root: Node | null, pointer: string[]): Node | null {
  let node = root;
  for (const [i, segment] of pointer.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
      if (!pair) return node;
      // The key's position for the last segment: that is where a person looks for the field.
      node = i === pointer.length - 1 ? (pair.key as Node) : ((pair.value as Node | null) ?? (pair.key as Node));
    } else if (isSeq(node)) {
      const next = node.items[Number(segment)] as Node | undefined;
      if (!next) return node;
      node = next;
    } else {
      return node;
    }
  }
  return node;
}

function schemaAt(schema: TSchema, pointer: string[]): TSchema | undefined {
  let current: TSchema | undefined = schema;
  for (const segment of pointer) {
    if (!current) return undefined;
    if (current["type"] === "object" && current["properties"]?.[segment]) current = current["properties"][segment];
    else if (current["patternProperties"]) current = Object.values(current["patternProperties"] as Record<string, TSchema>)[0];
    else if (current["type"] === "array") current = current["items"];
    else return undefined;
  }
  return current;
}

/** What a schema expects, in words a person reads. */
export function describeExpected(schema: TSchema): string {
  if (schema.anyOf && schema.anyOf.every((s: TSchema) => s.const !== undefined)) {
    return `one of ${schema.anyOf.map((s: TSchema) => JSON.stringify(s.const)).join(", ")}`;
  }
  const type = schema["type"];
  if (type === "integer" || type === "number") {
    const noun = type === "integer" ? "an integer" : "a number";
    if (schema.minimum !== undefined && schema.maximum !== undefined) return `${noun} from ${schema.minimum} to ${schema.maximum}`;
    if (schema.minimum !== undefined) return `${noun} of at least ${schema.minimum}`;
    return noun;
  }
  if (type === "string") return schema.pattern ? `a string matching ${schema.pattern}` : "a string";
  if (type === "boolean") return "true or false";
  if (type === "object") return "a mapping";
  if (type === "array") return "a list";
  return schema[Kind] ?? "a valid value";
}

function formatProblem(file: string, doc: ReturnType<typeof parseDocument>, lines: LineCounter, pointer: string[], what: string): string {
  const node = nodeAt(doc.contents, pointer);
  const offset = node?.range?.[0] ?? 0;
  const { line, col } = lines.linePos(offset);
  const path = pointer.join(".") || "(root)";
  return `${basename(file)}:${line}:${col} ${path}: ${what}`;
}

export function parsePipelineConfig(text: string, file = "pipeline.yaml", env: NodeJS.ProcessEnv = process.env): PipelineConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const { line, col } = lines.linePos(first.pos[0]);
    throw new ConfigError(`${basename(file)}:${line}:${col} ${first.message.split("\n")[0]}`);
  }
  const raw = doc.toJS() ?? {};
  const problems: string[] = [];
  const interpolated = interpolate(raw, env, "", problems);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `${basename(file)}: ${p}`).join("\n"));
  const withDefaults = Value.Default(pipelineConfigSchema, overBuiltIns(structuredClone(interpolated) as Record<string, unknown>));
  if (check.Check(withDefaults)) {
    const config = withDefaults as PipelineConfig;
    // Rules across delivery streams and tables (one writer per prefix, keys the prefixes name, …).
    try {
      resolveDeliveryStreams(config.deliveryStreams, config.tables);
    } catch (error) {
      throw new ConfigError(`${basename(file)}: ${(error as Error).message}`);
    }
    return config;
  }
  const messages: string[] = [];
  const seen = new Set<string>();
  for (const error of check.Errors(withDefaults)) {
    const pointer = error.path.split("/").slice(1);
    if (seen.has(error.path)) continue;
    seen.add(error.path);
    const expected = schemaAt(pipelineConfigSchema, pointer);
    let what: string;
    if (error.message.toLowerCase().includes("unexpected property") || (expected === undefined && error.value !== undefined)) {
      const parent = schemaAt(pipelineConfigSchema, pointer.slice(0, -1));
      const known = parent?.["properties"] ? Object.keys(parent["properties"]).join(", ") : "";
      what = `unknown field${known ? `; expected one of ${known}` : ""}`;
    } else {
      what = `expected ${expected ? describeExpected(expected) : error.message.toLowerCase()}, got ${JSON.stringify(error.value)}`;
    }
    messages.push(formatProblem(file, doc, lines, pointer, what));
    if (messages.length >= 10) break;
  }
  throw new ConfigError(messages.join("\n"));
}

export function loadPipelineConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): PipelineConfig {
  if (file === undefined) return parsePipelineConfig("{}", "(built-in default)", env);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read config ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parsePipelineConfig(text, file, env);
}
