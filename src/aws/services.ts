// The services the endpoint serves, built over one running pipeline: the same stream, ingest service and
// lake that HTTP ingest, the CLI and the dashboard use. A new service is a module and one line here.
import type { FastifyInstance } from "fastify";
import { componentLogger } from "../monitor/index.js";
import type { Pipeline } from "../pipeline/index.js";
import { registerAwsEndpoint } from "./endpoint.js";
import { DeliveryStreamRegistry, deliveryStreamRegistryPath } from "./firehose/delivery-stream-registry.js";
import { createFirehoseService } from "./firehose/firehose-service.js";
import { createKinesisService } from "./kinesis/kinesis-service.js";
import { AwsError } from "./errors.js";
import { enqueueAsyncInvocation, type AsyncInvocation } from "./lambda/async-invocations.js";
import { createLambdaService } from "./lambda/lambda-service.js";
import { pipelineLambdaFunctions } from "./lambda/pipeline-functions.js";
import { createAthenaService } from "./athena/athena-service.js";
import type { AwsService } from "./service.js";
import { pipelineSqsService } from "./sqs/pipeline-sqs.js";

/** Why a stream may not be deleted through the API, or undefined. */
function streamInUse(pipeline: Pipeline, name: string): string | undefined {
  if (pipeline.config.streams[name]) return `it is declared in the pipeline config (streams.${name})`;
  if (name === pipeline.config.ingest.stream) return "ingest appends to it";
  const reader = pipeline.lakes.find((lake) => lake.config.source === name);
  if (reader) return `delivery stream ${reader.name} reads it`;
  const fn = Object.entries(pipeline.config.functions).find(([, spec]) => (spec as { stream?: string }).stream === name);
  if (fn) return `function ${fn[0]} reads it`;
  return undefined;
}

/** Queues an Event invocation where a worker runs it: this process's, or any when the queue is shared (JetStream). */
function asyncInvocationQueue(pipeline: Pipeline): (invocation: AsyncInvocation) => Promise<void> {
  if (pipeline.topology.roles.has("worker") || pipeline.config.queueBackend.type === "jetstream") {
    return (invocation) => enqueueAsyncInvocation(pipeline.queue, invocation);
  }
  return async () => {
    throw new AwsError("ServiceException", "Event invocations need a worker: this process has no worker role and its queue (queueBackend.type sqlite) is its own; use queueBackend.type: jetstream", 500);
  };
}

export function pipelineAwsServices(pipeline: Pipeline): AwsService[] {
  return [
    createKinesisService({
      stream: pipeline.stream,
      ingest: pipeline.ingest,
      ingestStream: pipeline.config.ingest.stream,
      streamInUse: (name) => streamInUse(pipeline, name),
    }),
    createFirehoseService({
      stream: pipeline.stream,
      registry: new DeliveryStreamRegistry(deliveryStreamRegistryPath(pipeline.paths.dataDir)),
      declared: pipeline.config.deliveryStreams,
      addDeliveryStream: async (name, config) => void (await pipeline.addDeliveryStream(name, config)),
      removeDeliveryStream: (name) => pipeline.removeDeliveryStream(name),
    }),
    pipelineSqsService(pipeline),
    createLambdaService({ functions: pipelineLambdaFunctions(pipeline), enqueueAsync: asyncInvocationQueue(pipeline), log: componentLogger("lambda") }),
    createAthenaService({ queries: pipeline.queries }),
  ];
}

/** Mounts the AWS endpoint for a pipeline on the server (one line in server.ts). */
export async function registerAwsRoutes(app: FastifyInstance, pipeline: Pipeline): Promise<void> {
  await registerAwsEndpoint(app, { config: pipeline.config.aws, services: pipelineAwsServices(pipeline), log: componentLogger("aws") });
}
