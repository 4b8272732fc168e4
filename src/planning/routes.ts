// The dashboard's HTTP API over store inventory and the truck fleet: GET /v1/trucks (where every truck is),
// GET /v1/inventory (a stores × products grid of levels) and GET /v1/inventory/low-stock. Query strings
// are checked here; a bad one is a 400 with a JSON error.
import type { FastifyInstance } from "fastify";
import { ValidationError } from "../errors/index.js";
import type { ServingStore } from "../store/index.js";
import type { TruckDispatcher } from "./dispatcher.js";
import { inventoryGrid, lowStock } from "./inventory-view.js";

export interface PlanningRoutesOptions {
  store: ServingStore;
  dispatcher: TruckDispatcher;
}

export const DEFAULT_GRID_PRODUCTS = 40;
export const MAX_GRID_PRODUCTS = 1_000;
export const DEFAULT_LOW_STOCK_ITEMS = 50;
export const MAX_LOW_STOCK_ITEMS = 1_000;

type Query = Record<string, string | string[] | undefined>;

function checkKnown(query: Query, known: readonly string[]): void {
  for (const name of Object.keys(query)) {
    if (!known.includes(name)) throw new ValidationError(`unknown query parameter ${name}; expected ${known.join(", ")}`);
  }
}

function single(query: Query, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw new ValidationError(`${name}: given more than once`);
  return value;
}

function integerParam(query: Query, name: string, range: { min: number; max: number; default: number }): number {
  const text = single(query, name);
  if (text === undefined) return range.default;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < range.min || value > range.max) {
    throw new ValidationError(`${name}: expected an integer from ${range.min} to ${range.max}, got ${JSON.stringify(text)}`);
  }
  return value;
}

function storeIdParam(query: Query): string | undefined {
  const storeId = single(query, "store_id");
  if (storeId !== undefined && (storeId.length === 0 || storeId.length > 128)) throw new ValidationError("store_id: expected 1 to 128 characters");
  return storeId;
}

export async function registerPlanningRoutes(app: FastifyInstance, options: PlanningRoutesOptions): Promise<void> {
  app.get<{ Querystring: Query }>("/v1/trucks", async (request) => {
    checkKnown(request.query, []);
    return options.dispatcher.fleetState();
  });

  app.get<{ Querystring: Query }>("/v1/inventory", async (request) => {
    checkKnown(request.query, ["store_id", "limit_products"]);
    const storeId = storeIdParam(request.query);
    const limitProducts = integerParam(request.query, "limit_products", { min: 1, max: MAX_GRID_PRODUCTS, default: DEFAULT_GRID_PRODUCTS });
    return inventoryGrid(options.store, { limitProducts, ...(storeId !== undefined && { storeId }) });
  });

  app.get<{ Querystring: Query }>("/v1/inventory/low-stock", async (request) => {
    checkKnown(request.query, ["limit", "store_id"]);
    const storeId = storeIdParam(request.query);
    const limit = integerParam(request.query, "limit", { min: 1, max: MAX_LOW_STOCK_ITEMS, default: DEFAULT_LOW_STOCK_ITEMS });
    return { items: await lowStock(options.store, { limit, ...(storeId !== undefined && { storeId }) }) };
  });
}
