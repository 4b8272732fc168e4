// Public surface of the pipeline assembly.
export { Pipeline, pipelinePaths, type PipelinePaths } from "./pipeline.js";
export { loadReferenceData, seedReferenceData } from "./reference-data.js";
