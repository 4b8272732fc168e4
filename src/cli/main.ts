// The shopstream command line: one subcommand per file, registered here.
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { registerCheck } from "./check.js";
import { registerDestroy } from "./destroy.js";
import { registerDispatch } from "./dispatch.js";
import { registerPlan } from "./plan.js";
import { registerQuery } from "./query.js";
import { registerSimulate } from "./simulate.js";
import { registerTop } from "./top.js";
import { registerUp } from "./up.js";
import { registerValidate } from "./validate.js";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

export function buildProgram(): Command {
  const program = new Command("shopstream")
    .description("self-hosted real-time data pipeline for e-commerce")
    .version(pkg.version)
    .showHelpAfterError("(run with --help for usage)");
  registerUp(program);
  registerSimulate(program);
  registerQuery(program);
  registerCheck(program);
  registerValidate(program);
  registerDestroy(program);
  registerPlan(program);
  registerDispatch(program);
  registerTop(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
