#!/usr/bin/env node
// The shopstream command. Runs the compiled CLI (dist/, built by `npm install`); in a checkout where it
// has not been built yet, runs the TypeScript sources through tsx instead.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const compiled = new URL("../dist/cli/main.js", import.meta.url);
if (existsSync(fileURLToPath(compiled))) {
  await import(compiled.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(new URL("../src/cli/main.ts", import.meta.url).href);
}
