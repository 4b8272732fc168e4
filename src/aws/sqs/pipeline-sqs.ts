// The SQS adapter over one running pipeline: its queue database, a QueueExtras file in its data dir, and
// the queues the pipeline itself uses, which the API may not delete; its internal one (Lambda's Event
// invocations) the API does not see at all.
import type { Pipeline } from "../../pipeline/index.js";
import { LAMBDA_ASYNC_QUEUE } from "../lambda/async-invocations.js";
import type { AwsService } from "../service.js";
import { QueueExtras, queueExtrasPath } from "./queue-extras.js";
import { createSqsService } from "./sqs-service.js";

/** Why a queue may not be deleted through the API, or undefined. */
function queueInUse(pipeline: Pipeline, name: string): string | undefined {
  if (pipeline.config.queues[name]) return `it is declared in the pipeline config (queues.${name})`;
  if (name === pipeline.config.planning.queue) return "store planning sends to it";
  const fn = Object.entries(pipeline.config.functions).find(([, spec]) => (spec as { queue?: string }).queue === name);
  if (fn) return `function ${fn[0]} reads it`;
  return undefined;
}

export function pipelineSqsService(pipeline: Pipeline): AwsService {
  return createSqsService({
    queue: pipeline.queue,
    extras: new QueueExtras(queueExtrasPath(pipeline.paths.dataDir)),
    queueInUse: (name) => queueInUse(pipeline, name),
    isInternalQueue: (name) => name === LAMBDA_ASYNC_QUEUE,
  });
}
