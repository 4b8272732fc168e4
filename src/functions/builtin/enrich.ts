// enrich: normalises accepted events into curated events (UTC times, hoisted ids) and adds catalog and
// store data. Reads `events`, appends to `curated` with its checkpoint in the same commit (exactly once).
import type { CuratedEvent, IngestedEvent, ProductInfo, StoreInfo } from "../../events/index.js";
import { componentLogger } from "../../monitor/index.js";
import type { Stream } from "../../stream/index.js";
import type { BatchContext, BuiltinFunction, DecodedRecord } from "../types.js";

export interface ReferenceData {
  stores: ReadonlyMap<string, StoreInfo>;
  products: ReadonlyMap<string, ProductInfo>;
}

const HOISTED = ["customer_id", "session_id", "store_id", "order_id", "product_id"] as const;

export function curate(event: IngestedEvent, reference: ReferenceData): CuratedEvent {
  const payload = event.payload as Record<string, unknown>;
  const curated: CuratedEvent = {
    event_id: event.event_id,
    type: event.type,
    occurred_at: new Date(event.occurred_at).toISOString(),
    ingested_at: event.ingested_at,
    payload,
  };
  if (event.source !== undefined) curated.source = event.source;
  for (const key of HOISTED) {
    const value = payload[key];
    if (typeof value === "string") curated[key] = value;
  }
  const store = curated.store_id === undefined ? undefined : reference.stores.get(curated.store_id);
  if (store) curated.store = store;
  const product = curated.product_id === undefined ? undefined : reference.products.get(curated.product_id);
  if (product) curated.product = product;
  if (Array.isArray(payload["items"])) {
    curated.payload = {
      ...payload,
      items: (payload["items"] as Array<Record<string, unknown>>).map((item) => {
        const info = reference.products.get(String(item["product_id"]));
        return info ? { ...item, name: info.name, category: info.category } : item;
      }),
    };
  }
  return curated;
}

export function createEnrichFunction(options: { stream: Stream; output: string; reference: ReferenceData }): BuiltinFunction<IngestedEvent> {
  const log = componentLogger("enrich");
  return {
    name: "enrich",
    async handleBatch(records: DecodedRecord<IngestedEvent>[], context: BatchContext): Promise<void> {
      const output = records.map((record) => ({
        partitionKey: record.partitionKey,
        data: Buffer.from(JSON.stringify(curate(record.value, options.reference))),
      }));
      const results = await options.stream.putRecords(options.output, output, { checkpoint: context.checkpoint });
      for (const [i, result] of results.entries()) {
        if ("errorCode" in result) {
          log.error({ event_id: records[i]!.value.event_id, error: result.errorMessage }, "curated record refused by the stream");
        }
      }
    },
  };
}
