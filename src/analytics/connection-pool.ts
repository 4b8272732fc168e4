// A fixed set of DuckDB connections for queries, handed out first come, first served. The pool's size is
// the number of queries that run at once; the rest wait in order. Connections are made up front because
// their settings can only be applied before the configuration is locked (sandbox.ts).
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { ConflictError } from "../errors/index.js";
import { QueryCancelledError } from "./sql-error.js";

export interface Lease {
  readonly connection: DuckDBConnection;
  release(): void;
}

interface Waiter {
  grant: (connection: DuckDBConnection) => void;
  fail: (error: Error) => void;
}

export class ConnectionPool {
  private readonly idle: DuckDBConnection[];
  private readonly waiters: Waiter[] = [];
  private readonly leased = new Set<DuckDBConnection>();
  private drained: (() => void) | undefined;
  private closed = false;

  private constructor(private readonly all: DuckDBConnection[]) {
    this.idle = [...all];
  }

  static async open(instance: DuckDBInstance, size: number, prepare: (connection: DuckDBConnection) => Promise<void>): Promise<ConnectionPool> {
    const connections: DuckDBConnection[] = [];
    try {
      for (let i = 0; i < size; i++) {
        const connection = await instance.connect();
        connections.push(connection);
        await prepare(connection);
      }
    } catch (error) {
      for (const connection of connections) connection.closeSync();
      throw error;
    }
    return new ConnectionPool(connections);
  }

  get size(): number {
    return this.all.length;
  }

  /** Queries waiting for a connection. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** A connection for one query; waits in line while all are busy. An abort while waiting leaves the line. */
  acquire(signal?: AbortSignal): Promise<Lease> {
    if (this.closed) return Promise.reject(new ConflictError("the analytics engine is closed"));
    if (signal?.aborted) return Promise.reject(new QueryCancelledError());
    const connection = this.idle.pop();
    if (connection) return Promise.resolve(this.lease(connection));
    return new Promise<Lease>((resolve, reject) => {
      const onAbort = () => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new QueryCancelledError());
      };
      const waiter: Waiter = {
        grant: (granted) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(this.lease(granted));
        },
        fail: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private lease(connection: DuckDBConnection): Lease {
    this.leased.add(connection);
    let released = false;
    return {
      connection,
      release: () => {
        if (released) return;
        released = true;
        this.leased.delete(connection);
        const next = this.waiters.shift();
        if (next && !this.closed) next.grant(connection);
        else this.idle.push(connection);
        if (this.leased.size === 0) this.drained?.();
      },
    };
  }

  /** Refuses new leases, interrupts the queries running, waits for them to give their connections back, closes all. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.fail(new ConflictError("the analytics engine is closed"));
    if (this.leased.size > 0) {
      const drained = new Promise<void>((resolve) => (this.drained = resolve));
      for (const connection of this.leased) connection.interrupt();
      await drained;
    }
    for (const connection of this.all) connection.closeSync();
  }
}
