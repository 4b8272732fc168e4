#!/usr/bin/env node
// Builds the dashboard (web/) into web/dist/: esbuild bundles web/src/main.ts with its ECharts imports and
// web/src/styles.css, and index.html is copied beside them. `npm run build` runs it, so `npm install`
// (prepare) and `npm start` build the dashboard with no separate step. Files are written under a
// temporary name and renamed, so a server serving web/dist never reads half a file.
import { copyFile, mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const WEB_DIR = fileURLToPath(new URL("../web/", import.meta.url));
export const DIST_DIR = join(WEB_DIR, "dist");

export async function buildWeb({ minify = true } = {}) {
  const startedMs = Date.now();
  const result = await esbuild.build({
    entryPoints: { app: join(WEB_DIR, "src/main.ts"), styles: join(WEB_DIR, "src/styles.css") },
    bundle: true,
    format: "esm",
    target: ["chrome110", "firefox110", "safari16"],
    minify,
    sourcemap: "linked",
    outdir: join(DIST_DIR, "assets"),
    write: false,
    logLevel: "warning",
    legalComments: "linked",
  });
  await mkdir(join(DIST_DIR, "assets"), { recursive: true });
  const suffix = `.${process.pid}.tmp`;
  for (const file of result.outputFiles) {
    await writeFile(file.path + suffix, file.contents);
    await rename(file.path + suffix, file.path);
  }
  const html = join(DIST_DIR, "index.html");
  await copyFile(join(WEB_DIR, "index.html"), html + suffix);
  await rename(html + suffix, html);
  const bytes = result.outputFiles.filter((f) => !f.path.endsWith(".map")).reduce((sum, f) => sum + f.contents.length, 0);
  return { files: result.outputFiles.length + 1, bytes, ms: Date.now() - startedMs };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { bytes, ms } = await buildWeb({ minify: !process.argv.includes("--dev") });
  console.log(`dashboard built into web/dist/ (${Math.round(bytes / 1024)} KiB, ${ms} ms)`);
}
