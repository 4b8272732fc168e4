// Public surface of the AWS-compatible endpoint: the mount, its config, the service contract that service
// modules implement, the Firehose API's delivery stream registry (read by the pipeline when it opens) and
// the Lambda API's Event invocation queue and its poller (run by the pipeline's workers).
export { awsConfigSchema, type AwsConfig } from "./config.js";
export { registerAwsEndpoint, type AwsEndpointOptions } from "./endpoint.js";
export { registerAwsRoutes, pipelineAwsServices } from "./services.js";
export { AwsError, DEFAULT_ERROR_CODES, toAwsError, validationError, type AwsErrorCodes } from "./errors.js";
export type { AwsOperation, AwsRequestContext, AwsService, RestAnswer, RestOperation, RestRequest, RestRoute, WireProtocol } from "./service.js";
export { readArray, readBlob, readBoolean, readInteger, readObject, readString, readTimestampMs } from "./values.js";
export { deliveryStreamArn, kinesisStreamArn, nameFromArn, type ArnScope } from "./arn.js";
export {
  DeliveryStreamRegistry,
  deliveryStreamRegistryPath,
  type DeliveryStreamType,
  type RegisteredDeliveryStream,
} from "./firehose/delivery-stream-registry.js";
export { AsyncInvocationPoller, type AsyncInvocationPollerOptions } from "./lambda/async-invocation-poller.js";
export { ensureLambdaAsyncQueue, LAMBDA_ASYNC_QUEUE } from "./lambda/async-invocations.js";
export { pipelineLambdaFunctions } from "./lambda/pipeline-functions.js";
