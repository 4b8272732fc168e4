// The shop's static world, drawn from a seed: products, stores with their stock levels, customers and
// depots. The server and the simulator build it from the same catalog seed, so events name known entities.
import { Random, deriveSeed } from "./random.js";
import {
  brands,
  categories,
  depotSites,
  foreignCities,
  foreignCustomerShare,
  storeCities,
  type City,
  type Region,
} from "./reference-data.js";

export type { Region } from "./reference-data.js";

export const DEFAULT_CATALOG_SEED = 42;

export const customerSegments = ["new", "regular", "vip", "bargain"] as const;
export type CustomerSegment = (typeof customerSegments)[number];

export interface Product {
  product_id: string;
  name: string;
  category: string;
  /** list price in USD, two decimals */
  price: number;
  weight_kg: number;
  /** relative demand (Zipf-like): a few bestsellers, a long tail */
  popularity: number;
}

export interface StoreStock {
  product_id: string;
  /** planning raises a replenishment need when on_hand falls below this */
  reorder_point: number;
  /** a replenishment fills the shelf up to this level */
  target_level: number;
  /** units on the shelf when the simulation starts */
  on_hand: number;
}

export interface Store {
  store_id: string;
  name: string;
  city: string;
  state: string;
  region: Region;
  /** ISO 3166-1 alpha-2 */
  country: string;
  lat: number;
  lon: number;
  /** one entry per product, in catalog product order */
  inventory: StoreStock[];
}

export interface Customer {
  customer_id: string;
  segment: CustomerSegment;
  /** ISO 3166-1 alpha-2 */
  country: string;
  city: string;
  /** the nearest store, which fulfils most of this customer's orders */
  home_store_id: string;
  /** RFC 3339 UTC */
  signed_up_at: string;
}

export interface Depot {
  depot_id: string;
  name: string;
  region: Region;
  lat: number;
  lon: number;
}

export interface Catalog {
  seed: number;
  products: Product[];
  stores: Store[];
  customers: Customer[];
  depots: Depot[];
}

export interface CatalogSizes {
  products: number;
  stores: number;
  customers: number;
  depots: number;
}

export const DEFAULT_CATALOG_SIZES: Readonly<CatalogSizes> = { products: 200, stores: 20, customers: 5_000, depots: 3 };

/** Customers signed up before this instant; fixed so the catalog never depends on the wall clock. */
const CATALOG_AS_OF_MS = Date.UTC(2026, 0, 1);
const DAY_MS = 86_400_000;

const segmentShares: Record<CustomerSegment, number> = { new: 0.2, regular: 0.55, vip: 0.07, bargain: 0.18 };

/** Share of store-product pairs that start below their reorder point, so planning has work from the start. */
const STARTS_BELOW_REORDER_SHARE = 0.06;

export function generateCatalog(seed = DEFAULT_CATALOG_SEED, sizes: Partial<CatalogSizes> = {}): Catalog {
  const resolved = resolveSizes(sizes);
  const products = generateProducts(new Random(deriveSeed(seed, "products")), resolved.products);
  const stores = generateStores(new Random(deriveSeed(seed, "stores")), resolved.stores, products);
  const customers = generateCustomers(new Random(deriveSeed(seed, "customers")), resolved.customers, stores);
  const depots = generateDepots(new Random(deriveSeed(seed, "depots")), resolved.depots);
  return { seed, products, stores, customers, depots };
}

function resolveSizes(sizes: Partial<CatalogSizes>): CatalogSizes {
  const resolved = { ...DEFAULT_CATALOG_SIZES, ...sizes };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value < 1 || value > 10_000_000) {
      throw new RangeError(`catalog size ${name} must be an integer from 1 to 10000000, got ${value}`);
    }
  }
  return resolved;
}

const roundTo = (value: number, decimals: number): number => {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
};

/** Retail prices end in .99 (or .49 below five dollars), like real shelf labels. */
function shelfPrice(rawUsd: number, minUsd: number, maxUsd: number): number {
  const clamped = Math.min(maxUsd, Math.max(minUsd, rawUsd));
  if (clamped < 5) return Math.max(0.49, roundTo(Math.round(clamped * 2) / 2 - 0.01, 2));
  return roundTo(Math.max(1, Math.round(clamped)) - 0.01, 2);
}

function generateProducts(random: Random, count: number): Product[] {
  const categoryWeights = categories.map((category) => category.catalogShare);
  // Popularity follows rank^-0.9 over a random order of the products, so bestsellers land in any category.
  const popularityRanks = random.shuffled(Array.from({ length: count }, (_, index) => index));
  const products: Product[] = [];
  for (let index = 0; index < count; index++) {
    const category = random.weightedPick(categories, categoryWeights);
    const noun = random.pick(category.nouns);
    const name = random.chance(0.6) ? `${random.pick(brands)} ${noun} ${random.pick(category.variants)}` : `${random.pick(brands)} ${noun}`;
    const price = shelfPrice(random.logNormal(category.medianPriceUsd, category.priceSigma), category.minPriceUsd, category.maxPriceUsd);
    const weightKg = Math.max(0.05, roundTo(random.logNormal(category.medianWeightKg, category.weightSigma), 2));
    const rank = popularityRanks[index] as number;
    products.push({
      product_id: `P${String(index + 1).padStart(4, "0")}`,
      name,
      category: category.name,
      price,
      weight_kg: weightKg,
      popularity: roundTo(1 / (rank + 1) ** 0.9, 6),
    });
  }
  return products;
}

function generateStores(random: Random, count: number, products: readonly Product[]): Store[] {
  const meanPopularity = products.reduce((sum, product) => sum + product.popularity, 0) / products.length;
  const stores: Store[] = [];
  for (let index = 0; index < count; index++) {
    const site = storeCities[index % storeCities.length] as City;
    const branch = Math.floor(index / storeCities.length) + 1;
    // Bigger cities get bigger stores, which stock more of everything.
    const sizeFactor = 0.7 + 0.25 * Math.log(1 + site.populationWeight);
    const inventory = products.map((product): StoreStock => {
      const demandIndex = (product.popularity / meanPopularity) * sizeFactor;
      const reorderPoint = Math.max(2, Math.round(8 * demandIndex ** 0.8 * random.float(0.8, 1.2)));
      const targetLevel = reorderPoint * random.int(3, 5);
      const onHand = random.chance(STARTS_BELOW_REORDER_SHARE)
        ? random.int(0, reorderPoint - 1)
        : random.int(reorderPoint, targetLevel);
      return { product_id: product.product_id, reorder_point: reorderPoint, target_level: targetLevel, on_hand: onHand };
    });
    stores.push({
      store_id: `S${String(index + 1).padStart(3, "0")}`,
      name: branch === 1 ? `${site.name} Store` : `${site.name} Store #${branch}`,
      city: site.name,
      state: site.state,
      region: site.region,
      country: site.country,
      lat: roundTo(site.lat + (branch === 1 ? 0 : random.float(-0.08, 0.08)), 4),
      lon: roundTo(site.lon + (branch === 1 ? 0 : random.float(-0.08, 0.08)), 4),
      inventory,
    });
  }
  return stores;
}

/** Great-circle distance in km. */
function distanceKm(aLat: number, aLon: number, bLat: number, bLon: number): number {
  const toRadians = Math.PI / 180;
  const dLat = (bLat - aLat) * toRadians;
  const dLon = (bLon - aLon) * toRadians;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(aLat * toRadians) * Math.cos(bLat * toRadians) * Math.sin(dLon / 2) ** 2;
  return 12_742 * Math.asin(Math.sqrt(h));
}

function nearestStoreIds(cities: readonly City[], stores: readonly Store[]): Map<City, string[]> {
  const nearest = new Map<City, string[]>();
  for (const home of cities) {
    let bestKm = Infinity;
    let best: string[] = [];
    for (const store of stores) {
      const km = Math.round(distanceKm(home.lat, home.lon, store.lat, store.lon));
      // Branches in the same city tie at city scale; customers spread over all of them.
      if (km < bestKm - 15) {
        bestKm = km;
        best = [store.store_id];
      } else if (Math.abs(km - bestKm) <= 15) {
        best.push(store.store_id);
      }
    }
    nearest.set(home, best);
  }
  return nearest;
}

function generateCustomers(random: Random, count: number, stores: readonly Store[]): Customer[] {
  const homeCities = [...storeCities, ...foreignCities];
  const nearest = nearestStoreIds(homeCities, stores);
  const cityWeights = storeCities.map((site) => site.populationWeight);
  const foreignWeights = foreignCities.map((site) => site.populationWeight);
  const segmentWeights = customerSegments.map((segment) => segmentShares[segment]);
  const customers: Customer[] = [];
  for (let index = 0; index < count; index++) {
    const home = random.chance(foreignCustomerShare)
      ? random.weightedPick(foreignCities, foreignWeights)
      : random.weightedPick(storeCities, cityWeights);
    const segment = random.weightedPick(customerSegments, segmentWeights);
    const tenureDays = segment === "new" ? random.float(0, 30) : random.float(60, 6 * 365);
    customers.push({
      customer_id: `C${String(index + 1).padStart(6, "0")}`,
      segment,
      country: home.country,
      city: home.name,
      home_store_id: random.pick(nearest.get(home) ?? []),
      signed_up_at: new Date(CATALOG_AS_OF_MS - Math.round(tenureDays * DAY_MS)).toISOString(),
    });
  }
  return customers;
}

function generateDepots(random: Random, count: number): Depot[] {
  const depots: Depot[] = [];
  for (let index = 0; index < count; index++) {
    const site = depotSites[index % depotSites.length] as (typeof depotSites)[number];
    const branch = Math.floor(index / depotSites.length) + 1;
    depots.push({
      depot_id: `D${String(index + 1).padStart(2, "0")}`,
      name: branch === 1 ? site.name : `${site.name} #${branch}`,
      region: site.region,
      lat: roundTo(site.lat + (branch === 1 ? 0 : random.float(-0.2, 0.2)), 4),
      lon: roundTo(site.lon + (branch === 1 ? 0 : random.float(-0.2, 0.2)), 4),
    });
  }
  return depots;
}
