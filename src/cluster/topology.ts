// Which roles this process runs, and whether the backends it was given can be shared with the processes
// that run the others. A process running a part of the pipeline hands data to, or takes it from, other
// processes: every backend they exchange data through must be a shared one, or data would silently stay
// in this process's data dir. Refused with a ConfigError that says what to change.
import { hostname } from "node:os";
import { ConfigError } from "../errors/index.js";
import { ROLES, type ClusterConfig, type NodeConfig, type Role } from "./config.js";

/** The parts of the pipeline config the topology depends on. */
export interface TopologyConfig {
  roles: readonly Role[];
  node: NodeConfig;
  cluster: ClusterConfig;
  streamBackend: { type: "sqlite" | "jetstream" };
  queueBackend: { type: "sqlite" | "jetstream" };
  store: { backend: "sqlite" | "postgres" };
  lake: { store: "local" | "s3" };
}

export interface Topology {
  roles: ReadonlySet<Role>;
  nodeId: string;
  /** all roles in this one process: the single-machine pipeline */
  allInOne: boolean;
  /**
   * Workers split the shards through leases in the serving store: whenever a worker runs on a shared
   * stream and a shared store, since another worker may run beside it (one alone takes every shard).
   */
  leases: boolean;
}

export function parseRoles(text: string): Role[] {
  const roles = text.split(",").map((role) => role.trim()).filter((role) => role.length > 0);
  const unknown = roles.filter((role) => !(ROLES as readonly string[]).includes(role));
  if (unknown.length > 0 || roles.length === 0) {
    throw new ConfigError(`--role: expected a comma-separated list of ${ROLES.join(", ")}, got ${JSON.stringify(text)}`);
  }
  return [...new Set(roles)] as Role[];
}

export function resolveTopology(config: TopologyConfig): Topology {
  const roles = new Set(config.roles);
  const allInOne = ROLES.every((role) => roles.has(role));
  const has = (...wanted: Role[]) => wanted.some((role) => roles.has(role));
  const problems: string[] = [];
  const running = `roles [${[...roles].join(", ")}]`;
  if (!allInOne) {
    if (config.streamBackend.type !== "jetstream") {
      problems.push(
        `${running}: the other roles run in other processes, and they exchange events through the stream; streamBackend.type is sqlite, a file in this process's data dir that no other process reads. Set streamBackend.type: jetstream (one NATS JetStream for all processes)`,
      );
    }
    if (has("worker", "planner", "analytics", "dispatcher") && config.store.backend !== "postgres") {
      problems.push(
        `${running}: workers write the serving store that planner, analytics and the other workers read; store.backend is sqlite, private to this data dir. Set store.backend: postgres (one database for all processes)`,
      );
    }
    if (has("planner", "dispatcher") && !(roles.has("planner") && roles.has("dispatcher")) && config.queueBackend.type !== "jetstream") {
      problems.push(
        `${running}: the planner sends replenishment alerts to the queue the dispatcher reads in another process; queueBackend.type is sqlite, private to this data dir. Set queueBackend.type: jetstream`,
      );
    }
    if (has("worker", "planner", "analytics") && !(roles.has("worker") && roles.has("planner") && roles.has("analytics")) && config.lake.store !== "s3") {
      problems.push(
        `${running}: workers deliver the lake that planner and analytics query in other processes; lake.store is local, this data dir's lake/ directory. Set lake.store: s3 (one bucket for all processes)`,
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.join("\n"));
  const leases = roles.has("worker") && config.streamBackend.type === "jetstream" && config.store.backend === "postgres";
  if (leases && config.cluster.heartbeatIntervalMs * 3 > config.cluster.leaseTtlMs) {
    throw new ConfigError(
      `cluster.heartbeatIntervalMs (${config.cluster.heartbeatIntervalMs}) must be at most a third of cluster.leaseTtlMs (${config.cluster.leaseTtlMs}), or a worker loses its leases between two heartbeats`,
    );
  }
  return { roles, nodeId: config.node.id ?? `${hostname()}-${process.pid}`, allInOne, leases };
}
