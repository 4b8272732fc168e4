// `shopstream destroy`: deletes the data of the pipeline's declared resources after a confirmation
// (`--yes` skips it). Refuses while `shopstream up` runs on the same data dir.
import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import { loadPipelineConfig } from "../config/index.js";
import { destroy, planDestroy } from "../pipeline/index.js";
import { action, UsageError } from "./errors.js";

export function registerDestroy(program: Command): void {
  program
    .command("destroy")
    .description("delete the data of the pipeline's declared resources: streams, lake, serving store")
    .option("--data-dir <dir>", "the pipeline's data dir", "./.shopstream")
    .option("--config <file>", "pipeline config (YAML) that declares the resources; default: the built-in pipeline")
    .option("-y, --yes", "do not ask for confirmation")
    .action(
      action(async (options: { dataDir: string; config?: string; yes?: boolean }) => {
        const config = loadPipelineConfig(options.config);
        const plan = await planDestroy(config, options.dataDir);
        if (plan.length === 0) {
          process.stdout.write(`nothing to destroy in ${options.dataDir}\n`);
          return;
        }
        process.stdout.write(`This deletes, in ${options.dataDir}:\n`);
        for (const item of plan) process.stdout.write(`  ${item.kind.padEnd(14)} ${item.name}  (${item.detail})\n`);
        if (!options.yes) {
          if (!process.stdin.isTTY) throw new UsageError("not a terminal: pass --yes to confirm the deletion");
          const rl = createInterface({ input: process.stdin, output: process.stdout });
          const answer = await rl.question("Type 'yes' to delete: ");
          rl.close();
          if (answer.trim() !== "yes") {
            process.stdout.write("nothing deleted\n");
            return;
          }
        }
        await destroy(options.dataDir, plan);
        process.stdout.write(`deleted ${plan.length} resource${plan.length === 1 ? "" : "s"}\n`);
      }),
    );
}
