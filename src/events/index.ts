// Public surface of the event model.
export * from "./schemas.js";
export { validateEvent, isEventType, partitionKeyOf, type Validated, type ValidationCode } from "./validate.js";
export type { CuratedEvent, StoreInfo, ProductInfo } from "./curated.js";
