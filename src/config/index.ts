// Public surface of the pipeline config: its schema, loader and the errors it reports.
export { pipelineConfigSchema, type PipelineConfig } from "./pipeline-schema.js";
export { loadPipelineConfig, parsePipelineConfig, describeExpected } from "./load.js";
export { renderConfigReference, renderJsonSchema } from "./reference-doc.js";
