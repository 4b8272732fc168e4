// `npm run docs`: regenerates the docs that come from code (the config reference and JSON Schema).
// config-docs.test.ts fails when they are out of date.
import { writeFileSync } from "node:fs";
import { renderConfigReference, renderJsonSchema } from "../src/config/index.js";

const docs = new URL("../docs/", import.meta.url);
writeFileSync(new URL("config-reference.md", docs), renderConfigReference());
writeFileSync(new URL("pipeline.schema.json", docs), renderJsonSchema());
console.log("wrote docs/config-reference.md and docs/pipeline.schema.json");
