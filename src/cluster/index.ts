// Public surface of the cluster component: roles and topology checks, shard leases among workers.
export { clusterConfigSchema, nodeConfigSchema, rolesConfigSchema, ROLES, type ClusterConfig, type NodeConfig, type Role } from "./config.js";
export { parseRoles, resolveTopology, type Topology, type TopologyConfig } from "./topology.js";
export { ClusterWorker, COMPACTOR_UNIT, LeaseFence, type ClusterWorkerOptions } from "./cluster-worker.js";
export { guardStream, leaseUnitOf, LeaseLostError, type CommitFence } from "./guarded-stream.js";
export { clusterMigrations, LeaseTable, type LeaseRow } from "./lease-table.js";
export { ShardLeases, type ShardLeasesOptions, type WorkUnit } from "./shard-leases.js";
