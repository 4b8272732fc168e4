// The delivery streams made through the Firehose API, kept in <data-dir>/delivery-streams.json. The
// pipeline reads it when it opens and runs them beside the ones its config declares, so they survive
// restarts and the CLI and the dashboard see them; the config's own ones are never written here.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DeliveryStreamConfig } from "../../lake/index.js";

export type DeliveryStreamType = "DirectPut" | "KinesisStreamAsSource";

export interface RegisteredDeliveryStream {
  type: DeliveryStreamType;
  /** the lake delivery stream it runs as (source, format, buffering, prefixes, partitioning) */
  config: DeliveryStreamConfig;
  createdAt: number;
  /** DirectPut: the stream made for it, which PutRecord appends to and which goes with it */
  backingStream?: string;
  /** kept to describe it as it was made; they grant nothing here */
  roleArn?: string;
  bucketArn?: string;
}

interface RegistryFile {
  version: 1;
  deliveryStreams: Record<string, RegisteredDeliveryStream>;
}

export class DeliveryStreamRegistry {
  private readonly entries: Map<string, RegisteredDeliveryStream>;

  constructor(private readonly path: string) {
    this.entries = new Map();
    if (existsSync(path)) {
      const file = JSON.parse(readFileSync(path, "utf8")) as RegistryFile;
      for (const [name, entry] of Object.entries(file.deliveryStreams)) this.entries.set(name, entry);
    }
  }

  get(name: string): RegisteredDeliveryStream | undefined {
    return this.entries.get(name);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  /** name → lake config, for the pipeline to run */
  configs(): Record<string, DeliveryStreamConfig> {
    return Object.fromEntries([...this.entries].map(([name, entry]) => [name, entry.config]));
  }

  put(name: string, entry: RegisteredDeliveryStream): void {
    this.entries.set(name, entry);
    this.save();
  }

  delete(name: string): void {
    this.entries.delete(name);
    this.save();
  }

  private save(): void {
    const file: RegistryFile = { version: 1, deliveryStreams: Object.fromEntries(this.entries) };
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(file, null, 2)}\n`);
    renameSync(temporary, this.path);
  }
}

export function deliveryStreamRegistryPath(dataDir: string): string {
  return join(dataDir, "delivery-streams.json");
}
