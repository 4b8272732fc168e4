// The AWS endpoint's config: who may call it (SigV4 access keys), and the region and account its ARNs name.
import { Type, type Static } from "@sinclair/typebox";
import { lambdaConfigSchema } from "./lambda/config.js";

export const awsAccessKeySchema = Type.Object(
  {
    accessKeyId: Type.String({ pattern: "^[A-Za-z0-9]{4,128}$", description: "the access key id clients sign with" }),
    secretAccessKey: Type.String({ minLength: 1, maxLength: 256, description: "its secret; use ${env:NAME} rather than writing it in the file" }),
  },
  { additionalProperties: false, description: "one access key pair" },
);

export const awsConfigSchema = Type.Object(
  {
    accessKeys: Type.Optional(
      Type.Array(awsAccessKeySchema, {
        description:
          "access keys whose Signature V4 signatures are verified. Without any, every request is accepted with any " +
          "(or no) credentials, but only from loopback clients; a client from another address is refused",
      }),
    ),
    region: Type.String({ pattern: "^[a-z]{2}(-[a-z0-9]+)+-\\d$", default: "us-east-1", description: "the region in ARNs and the one signatures must name" }),
    accountId: Type.String({ pattern: "^\\d{12}$", default: "000000000000", description: "the account id in ARNs" }),
    maxBodyBytes: Type.Integer({
      minimum: 1024 * 1024,
      maximum: 64 * 1024 * 1024,
      default: 16 * 1024 * 1024,
      description: "largest AWS API request body, in bytes (a Kinesis PutRecords of 5 MiB is about 7 MiB once base64-encoded)",
    }),
    lambda: lambdaConfigSchema,
  },
  { additionalProperties: false, default: {}, description: "the AWS-compatible endpoint (Kinesis, Firehose, …) on the server's port" },
);
export type AwsConfig = Static<typeof awsConfigSchema>;
