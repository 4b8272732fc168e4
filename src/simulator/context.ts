// The shared state every simulation task works on: one random stream, the clock, the shelves and the
// event queue, and what each customer has ordered so far. One context is one traffic stream; nothing in
// it is global.
import type { Catalog } from "./catalog.js";
import type { CustomerHistory } from "./customer-history.js";
import type { EventWriter } from "./event-writer.js";
import type { IdSequence } from "./ids.js";
import type { ProductChooser } from "./product-chooser.js";
import type { Random } from "./random.js";
import type { Scheduler } from "./scheduler.js";
import type { StockLedger } from "./stock-ledger.js";

export interface SimulationContext {
  readonly random: Random;
  readonly catalog: Catalog;
  readonly scheduler: Scheduler;
  readonly writer: EventWriter;
  readonly ids: IdSequence;
  readonly stock: StockLedger;
  readonly customerHistory: CustomerHistory;
  readonly products: ProductChooser;
  readonly storeIndexById: ReadonlyMap<string, number>;
  readonly productIndexById: ReadonlyMap<string, number>;
}
