// The queues table and its in-memory mirror: names, attributes and sequence counters. A queue created by
// another process sharing the file is found on first use; sequence numbers are reserved in the database,
// inside the caller's transaction, so processes never hand out the same one.
import type Database from "better-sqlite3";
import { NotFoundError } from "../../errors/index.js";
import type { QueueAttributes, QueueDescription } from "../types.js";

export interface QueueState {
  id: number;
  description: QueueDescription;
}

interface QueueRow {
  id: number;
  name: string;
  attributes: string;
  created_at: number;
}

export class QueueCatalog {
  private readonly byName = new Map<string, QueueState>();
  private readonly selectByName: Database.Statement<[string], QueueRow>;
  private readonly insertQueue: Database.Statement<[string, string, number]>;
  private readonly updateAttributes: Database.Statement<[string, number]>;
  private readonly deleteQueue: Database.Statement<[number]>;
  private readonly reserve: Database.Statement<[number, number], { last_sequence: number }>;

  constructor(private readonly db: Database.Database) {
    this.selectByName = db.prepare("SELECT id, name, attributes, created_at FROM queues WHERE name = ?");
    this.insertQueue = db.prepare("INSERT INTO queues (name, attributes, created_at) VALUES (?, ?, ?)");
    this.updateAttributes = db.prepare("UPDATE queues SET attributes = ? WHERE id = ?");
    this.deleteQueue = db.prepare("DELETE FROM queues WHERE id = ?");
    this.reserve = db.prepare("UPDATE queues SET last_sequence = last_sequence + ? WHERE id = ? RETURNING last_sequence");
    for (const row of db.prepare("SELECT id, name, attributes, created_at FROM queues").all() as QueueRow[]) this.remember(row);
  }

  find(name: string): QueueState | undefined {
    const known = this.byName.get(name);
    if (known) return known;
    const row = this.selectByName.get(name);
    return row ? this.remember(row) : undefined;
  }

  get(name: string): QueueState {
    const state = this.find(name);
    if (!state) throw new NotFoundError(`queue ${JSON.stringify(name)} does not exist`, "queue_not_found");
    return state;
  }

  names(): string[] {
    return (this.db.prepare("SELECT name FROM queues ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
  }

  insert(name: string, attributes: QueueAttributes, createdAt: number): QueueState {
    const info = this.insertQueue.run(name, JSON.stringify(attributes), createdAt);
    return this.remember({ id: Number(info.lastInsertRowid), name, attributes: JSON.stringify(attributes), created_at: createdAt });
  }

  update(state: QueueState, attributes: QueueAttributes): void {
    this.updateAttributes.run(JSON.stringify(attributes), state.id);
    state.description = { ...state.description, attributes };
  }

  remove(state: QueueState): void {
    this.deleteQueue.run(state.id);
    this.byName.delete(state.description.name);
  }

  /** Reserves `count` sequence numbers of a queue; returns the first. Call inside a write transaction. */
  reserveSequences(queueId: number, count: number): number {
    const row = this.reserve.get(count, queueId);
    if (!row) throw new NotFoundError(`queue ${queueId} no longer exists`, "queue_not_found");
    return row.last_sequence - count + 1;
  }

  private remember(row: QueueRow): QueueState {
    const state: QueueState = {
      id: row.id,
      description: { name: row.name, attributes: JSON.parse(row.attributes) as QueueAttributes, createdAt: row.created_at },
    };
    this.byName.set(row.name, state);
    return state;
  }
}
