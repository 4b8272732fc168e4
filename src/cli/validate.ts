// `shopstream validate FILE`: checks a pipeline config without running it; `--print-schema` prints the
// JSON Schema for editors.
import type { Command } from "commander";
import { loadPipelineConfig, renderJsonSchema } from "../config/index.js";
import { maskSecrets } from "../monitor/index.js";
import { action, UsageError } from "./errors.js";

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("check a pipeline config (YAML) without running it")
    .argument("[file]", "the pipeline config")
    .option("--print-schema", "print the config's JSON Schema (for editor completion) and exit")
    .option("--print-config", "print the config with every default filled in")
    .action(
      action(async (file: string | undefined, options: { printSchema?: boolean; printConfig?: boolean }) => {
        if (options.printSchema) {
          process.stdout.write(renderJsonSchema());
          return;
        }
        if (file === undefined) throw new UsageError("validate needs a config file (or --print-schema)");
        const config = loadPipelineConfig(file);
        // Secrets (API keys, secret access keys, passwords in URLs) are masked: the output gets pasted into issues.
        if (options.printConfig) process.stdout.write(JSON.stringify(maskSecrets(config), null, 2) + "\n");
        else process.stdout.write(`${file}: valid (${Object.keys(config.streams).length} streams, ${Object.keys(config.functions).length} functions)\n`);
      }),
    );
}
