// The shared lease table, in the serving store on PostgreSQL: the live worker processes (one row each,
// kept alive by heartbeats) and one lease per unit of work (a consumer's shard, or a singleton task).
// Expiry runs on PostgreSQL's clock, so workers on machines whose clocks disagree still agree on who
// holds what. Taking a lease raises its epoch; renewing keeps it.
import { migrate, type Migration, type ServingStore } from "../store/index.js";

export const clusterMigrations: Migration[] = [
  {
    id: "cluster-001",
    statements: [
      `CREATE TABLE IF NOT EXISTS cluster_members (
         instance TEXT PRIMARY KEY, node_id TEXT NOT NULL, roles TEXT NOT NULL,
         started_at TIMESTAMPTZ NOT NULL DEFAULT now(), expires_at TIMESTAMPTZ NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS cluster_leases (
         unit TEXT PRIMARY KEY, owner TEXT, epoch BIGINT NOT NULL DEFAULT 0,
         expires_at TIMESTAMPTZ NOT NULL DEFAULT 'epoch', acquired_at TIMESTAMPTZ)`,
    ],
  },
];

export interface LeaseRow {
  unit: string;
  owner: string | null;
  epoch: number;
  /** expires_at is in the future on PostgreSQL's clock */
  live: boolean;
}

/** `now() + ms` on the server; the parameter is a whole number of milliseconds. */
const EXPIRY = "now() + CAST(? AS INTEGER) * INTERVAL '1 millisecond'";

export class LeaseTable {
  constructor(private readonly store: ServingStore) {}

  /** Creates the tables (once per schema) and a lease row for every unit not known yet. */
  async prepare(units: readonly string[]): Promise<void> {
    await migrate(this.store, clusterMigrations);
    for (const unit of units) await this.store.run("INSERT INTO cluster_leases (unit) VALUES (?) ON CONFLICT (unit) DO NOTHING", [unit]);
  }

  async heartbeat(instance: string, nodeId: string, roles: readonly string[], ttlMs: number): Promise<void> {
    await this.store.run(
      `INSERT INTO cluster_members (instance, node_id, roles, expires_at) VALUES (?, ?, ?, ${EXPIRY})
       ON CONFLICT (instance) DO UPDATE SET expires_at = excluded.expires_at`,
      [instance, nodeId, roles.join(","), ttlMs],
    );
  }

  /** Live members, in a stable order (their rank decides where each starts claiming). */
  async liveMembers(): Promise<string[]> {
    const rows = await this.store.all<{ instance: string }>("SELECT instance FROM cluster_members WHERE expires_at > now() ORDER BY instance");
    return rows.map((row) => row.instance);
  }

  /**
   * Extends every lease `owner` still holds, and answers them with their epochs. A lease that expired
   * but nobody took is still the owner's (taking one changes the owner), so it is renewed too.
   */
  async renew(owner: string, ttlMs: number): Promise<Map<string, number>> {
    const rows = await this.store.all<{ unit: string; epoch: number }>(
      `UPDATE cluster_leases SET expires_at = ${EXPIRY} WHERE owner = ? RETURNING unit, epoch`,
      [ttlMs, owner],
    );
    return new Map(rows.map((row) => [row.unit, Number(row.epoch)]));
  }

  async leases(): Promise<LeaseRow[]> {
    const rows = await this.store.all<{ unit: string; owner: string | null; epoch: number; live: number }>(
      "SELECT unit, owner, epoch, expires_at > now() AS live FROM cluster_leases ORDER BY unit",
    );
    return rows.map((row) => ({ unit: row.unit, owner: row.owner, epoch: Number(row.epoch), live: row.live === 1 }));
  }

  /** Takes a free or expired lease; the new epoch, or undefined when another worker holds it. */
  async claim(unit: string, owner: string, ttlMs: number): Promise<number | undefined> {
    const row = await this.store.get<{ epoch: number }>(
      `UPDATE cluster_leases SET owner = ?, epoch = epoch + 1, expires_at = ${EXPIRY}, acquired_at = now()
       WHERE unit = ? AND (owner IS NULL OR owner = ? OR expires_at <= now()) RETURNING epoch`,
      [owner, ttlMs, unit, owner],
    );
    return row === undefined ? undefined : Number(row.epoch);
  }

  /** Gives a lease back at once (its work stopped and committed), if it is still this owner's. */
  async release(unit: string, owner: string, epoch: number): Promise<void> {
    await this.store.run("UPDATE cluster_leases SET owner = NULL, expires_at = now() WHERE unit = ? AND owner = ? AND epoch = ?", [unit, owner, epoch]);
  }

  async leave(instance: string): Promise<void> {
    await this.store.run("UPDATE cluster_leases SET owner = NULL, expires_at = now() WHERE owner = ?", [instance]);
    await this.store.run("DELETE FROM cluster_members WHERE instance = ? OR expires_at < now() - INTERVAL '1 hour'", [instance]);
  }
}
