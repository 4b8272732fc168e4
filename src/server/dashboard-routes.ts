// Serves the built dashboard: `/` is web/dist/index.html and `/assets/<file>` the bundle beside it
// (scripts/build-web.mjs writes both). Running from sources without a build answers 503 with the command
// that builds it, rather than a blank page.
import { readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";

export const WEB_DIST_DIR = fileURLToPath(new URL("../../web/dist/", import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

/** Only plain names straight under assets/: nothing can climb out of the directory. */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

const NOT_BUILT_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>shopstream: dashboard not built</title></head>
<body style="font-family: system-ui, sans-serif; padding: 2em"><h1>The dashboard is not built</h1>
<p>Run <code>npm run build</code> (or <code>npm install</code> / <code>npm start</code>, which build it) and reload.</p>
<p>The HTTP API is up: <a href="/v1/stats">/v1/stats</a>.</p></body></html>`;

/**
 * APIs the dashboard uses that another part of the server may or may not mount. The dashboard asks
 * `GET /v1/dashboard/features` which are there instead of probing them: a 404 is a console error in a
 * browser, and a missing part is a notice on its page, not an error.
 */
const OPTIONAL_APIS = {
  inventory: { method: "GET", url: "/v1/inventory" },
  lowStock: { method: "GET", url: "/v1/inventory/low-stock" },
  trucks: { method: "GET", url: "/v1/trucks" },
  pipeline: { method: "GET", url: "/v1/pipeline" },
  alarms: { method: "GET", url: "/v1/alarms" },
  redrive: { method: "POST", url: "/v1/queues/:name/redrive" },
} as const;

export type DashboardFeatures = Record<keyof typeof OPTIONAL_APIS, boolean>;

export async function registerDashboardRoutes(app: FastifyInstance, options: { distDir?: string } = {}): Promise<void> {
  const distDir = options.distDir ?? WEB_DIST_DIR;

  // Asked at request time: routes registered after this one count too.
  app.get("/v1/dashboard/features", async (): Promise<DashboardFeatures> => {
    const entries = Object.entries(OPTIONAL_APIS).map(([name, route]) => [name, app.hasRoute(route)]);
    return Object.fromEntries(entries) as DashboardFeatures;
  });

  app.get("/", async (request, reply) => {
    let html: Buffer;
    try {
      html = await readFile(join(distDir, "index.html"));
    } catch {
      const wantsHtml = (request.headers.accept ?? "").includes("text/html");
      reply.code(503);
      if (wantsHtml) return reply.type("text/html; charset=utf-8").send(NOT_BUILT_HTML);
      return { error: { code: "dashboard_not_built", message: "the dashboard is not built: run `npm run build`" } };
    }
    reply.header("cache-control", "no-cache");
    return reply.type("text/html; charset=utf-8").send(html);
  });

  app.get<{ Params: { file: string } }>("/assets/:file", async (request, reply) => {
    const { file } = request.params;
    const type = CONTENT_TYPES[extname(file)];
    if (!ASSET_NAME.test(file) || type === undefined) return reply.code(404).send({ error: { code: "not_found", message: `no asset ${file}` } });
    let body: Buffer;
    try {
      body = await readFile(join(distDir, "assets", file));
    } catch {
      return reply.code(404).send({ error: { code: "not_found", message: `no asset ${file}; run \`npm run build\`` } });
    }
    reply.header("cache-control", "no-cache");
    return reply.type(type).send(body);
  });
}
