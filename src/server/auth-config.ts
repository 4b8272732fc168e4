// The HTTP server's access control config (`server.auth`): API keys with scopes for ingest and the
// dashboard's API. The AWS endpoints keep their own Signature V4 keys (`aws.accessKeys`).
import { Type, type Static } from "@sinclair/typebox";

export const API_KEY_SCOPES = ["ingest", "read", "admin"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const apiKeySchema = Type.Object(
  {
    name: Type.String({ pattern: "^[A-Za-z0-9_.-]{1,64}$", description: "who holds the key; the only part of it that logs name" }),
    key: Type.String({
      minLength: 16,
      maxLength: 512,
      description: "the secret itself, at least 16 characters; use ${env:NAME} rather than writing it in the file",
    }),
    scopes: Type.Array(Type.Union(API_KEY_SCOPES.map((scope) => Type.Literal(scope))), {
      minItems: 1,
      uniqueItems: true,
      description:
        "what the key may do: ingest (POST /v1/events), read (the dashboard's GET /v1/* APIs, /v1/live, /metrics), " +
        "admin (everything, including the mutations: POST /v1/queries, named queries, planning runs, redrive, RFM)",
    }),
  },
  { additionalProperties: false, description: "one API key" },
);

export const serverAuthConfigSchema = Type.Object(
  {
    apiKeys: Type.Array(apiKeySchema, {
      default: [],
      description:
        "API keys, sent as `x-api-key: KEY` or `Authorization: Bearer KEY`. With none, the HTTP API is open (keep the " +
        "server on loopback); with any, every /v1/* route needs a key with its scope, and /healthz, the dashboard page " +
        "and its assets stay open",
    }),
    protectMetrics: Type.Boolean({ default: true, description: "with API keys configured, GET /metrics needs a key with read scope" }),
  },
  { additionalProperties: false, default: {}, description: "access control for ingest and the dashboard's API" },
);
export type ServerAuthConfig = Static<typeof serverAuthConfigSchema>;
