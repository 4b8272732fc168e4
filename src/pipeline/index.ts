// Public surface of the pipeline assembly.
export { Pipeline, pipelinePaths, type PipelinePaths } from "./pipeline.js";
export { loadReferenceData, seedReferenceData } from "./reference-data.js";
export { acquireDataDirLock, lockHolder } from "./data-dir-lock.js";
export { destroy, planDestroy, type DestroyPlanItem } from "./destroy.js";
