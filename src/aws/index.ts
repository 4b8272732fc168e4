// Public surface of the AWS-compatible endpoint: the mount, its config, the service contract that service
// modules implement, and the Firehose API's delivery stream registry (read by the pipeline when it opens).
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
