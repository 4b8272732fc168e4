// The topology part of the pipeline config: which roles this process runs, its node id, and the shard
// leases that split the stream shards among worker processes.
import { Type, type Static } from "@sinclair/typebox";

export const ROLES = ["ingest", "worker", "planner", "dispatcher", "analytics"] as const;
export type Role = (typeof ROLES)[number];

export const rolesConfigSchema = Type.Array(Type.Union(ROLES.map((role) => Type.Literal(role))), {
  minItems: 1,
  uniqueItems: true,
  default: [...ROLES],
  description:
    "what this process runs: ingest (HTTP ingest and the AWS put APIs), worker (the functions and lake delivery of the shards it leases), planner (store planning), dispatcher (the truck dispatcher), analytics (the query API and dashboard data); default all of them, one process. `shopstream up --role` overrides it",
});

export const nodeConfigSchema = Type.Object(
  {
    id: Type.Optional(
      Type.String({
        pattern: "^[A-Za-z0-9_.:-]{1,100}$",
        description: "this process's name in the lease table and the logs; default <hostname>-<pid>",
      }),
    ),
  },
  { additionalProperties: false, default: {}, description: "this process" },
);

export const clusterConfigSchema = Type.Object(
  {
    leaseTtlMs: Type.Integer({
      minimum: 1000,
      maximum: 600_000,
      default: 10_000,
      description: "a worker's shard leases expire this long after its last heartbeat; then other workers take its shards over from their checkpoints",
    }),
    heartbeatIntervalMs: Type.Integer({
      minimum: 100,
      maximum: 200_000,
      default: 2000,
      description: "how often a worker renews its leases and rebalances; keep it well under leaseTtlMs (at most a third)",
    }),
  },
  { additionalProperties: false, default: {}, description: "shard leases among worker processes (stream on JetStream and serving store on PostgreSQL)" },
);

export type NodeConfig = Static<typeof nodeConfigSchema>;
export type ClusterConfig = Static<typeof clusterConfigSchema>;
