// Renders the config reference (docs/config-reference.md) from the pipeline schema, so the descriptions
// and defaults written beside each component's code are the documentation; nothing is written twice.
import type { TSchema } from "@sinclair/typebox";
import { describeExpected } from "./load.js";
import { pipelineConfigSchema } from "./pipeline-schema.js";

function render(value: unknown): string {
  return value === undefined ? "" : `\`${JSON.stringify(value)}\``;
}

function rows(schema: TSchema, path: string, out: string[]): void {
  const properties = schema["properties"] as Record<string, TSchema> | undefined;
  if (properties) {
    for (const [key, child] of Object.entries(properties)) rows(child, path ? `${path}.${key}` : key, out);
    return;
  }
  const pattern = schema["patternProperties"] as Record<string, TSchema> | undefined;
  if (pattern) {
    const child = Object.values(pattern)[0]!;
    out.push(`| \`${path}\` | a map of names to the entries below | ${render(schema.default)} | ${schema.description ?? ""} |`);
    rows(child, `${path}.<name>`, out);
    return;
  }
  out.push(`| \`${path}\` | ${describeExpected(schema)} | ${render(schema.default)} | ${schema.description ?? ""} |`);
}

export function renderConfigReference(): string {
  const out = [
    "# Pipeline config reference",
    "",
    "Generated from the schema in the code (`npm run docs`); do not edit by hand. Every field is optional:",
    "a missing field takes its default, and a config file overrides only what it names. Unknown fields are",
    "rejected. `shopstream validate FILE` checks a file; `shopstream validate --print-schema` prints the",
    "JSON Schema (also in `docs/pipeline.schema.json`) for editor completion.",
    "",
  ];
  for (const [section, schema] of Object.entries(pipelineConfigSchema.properties as Record<string, TSchema>)) {
    out.push(`## \`${section}\``, "", schema.description ?? "", "", "| field | expected | default | meaning |", "|---|---|---|---|");
    rows(schema, section, out);
    out.push("");
  }
  return out.join("\n");
}

/** The JSON Schema for editors, e.g. `# yaml-language-server: $schema=./pipeline.schema.json`. */
export function renderJsonSchema(): string {
  return JSON.stringify(pipelineConfigSchema, null, 2) + "\n";
}
