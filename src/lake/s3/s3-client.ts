// Builds the AWS SDK's S3 client from the lake's s3 config, set up to work with S3-compatible servers too.
import { S3Client } from "@aws-sdk/client-s3";
import { ConfigError } from "../../errors/index.js";
import type { S3StoreConfig } from "../store-config.js";

export function createS3Client(config: S3StoreConfig): S3Client {
  if ((config.accessKeyId === undefined) !== (config.secretAccessKey === undefined)) {
    throw new ConfigError("lake.s3: give both accessKeyId and secretAccessKey, or neither (the AWS SDK's default credential chain)");
  }
  return new S3Client({
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    ...(config.endpoint !== undefined && { endpoint: config.endpoint }),
    ...(config.accessKeyId !== undefined && config.secretAccessKey !== undefined && {
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    }),
    // The SDK's default adds CRC checksums to every upload (aws-chunked bodies with trailers for streams),
    // which many S3-compatible servers do not understand and would store as part of the object. AWS S3
    // accepts requests without them; SigV4 still signs each request.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}
