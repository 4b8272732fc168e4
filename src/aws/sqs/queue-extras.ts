// What SQS keeps about a queue that the Queue interface does not: tags, the time of the last attribute
// change, and attributes stored as given (RedriveAllowPolicy, Policy, the encryption settings). One JSON
// file in the data dir, written atomically; an entry belongs to one incarnation of a queue (its
// creation time), so a queue deleted and made again starts clean.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export interface QueueExtra {
  /** the creation time of the queue this entry belongs to */
  createdAt: number;
  lastModifiedMs?: number;
  /** AWS attribute name → value, for attributes kept as given */
  attributes: Record<string, string>;
  tags: Record<string, string>;
}

export const queueExtrasPath = (dataDir: string) => join(dataDir, "sqs-queues.json");

export class QueueExtras {
  private readonly entries: Record<string, QueueExtra>;

  constructor(private readonly path: string | undefined) {
    this.entries = path !== undefined && existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Record<string, QueueExtra>) : {};
  }

  get(name: string, createdAt: number): QueueExtra {
    const entry = this.entries[name];
    return entry && entry.createdAt === createdAt ? entry : { createdAt, attributes: {}, tags: {} };
  }

  update(name: string, createdAt: number, change: (entry: QueueExtra) => void): void {
    const entry = structuredClone(this.get(name, createdAt));
    change(entry);
    this.entries[name] = entry;
    this.save();
  }

  forget(name: string): void {
    if (!(name in this.entries)) return;
    delete this.entries[name];
    this.save();
  }

  private save(): void {
    if (this.path === undefined) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.entries, null, 2));
    renameSync(temporary, this.path);
  }
}
