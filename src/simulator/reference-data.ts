// Static facts the catalog is drawn from: product categories with realistic price and weight ranges,
// the cities stores and customers live in, and depot sites. Numbers are plausible for a US retailer.

export type Region = "north" | "south" | "east" | "west" | "central";

export interface CategoryProfile {
  name: string;
  /** share of the catalog's products in this category */
  catalogShare: number;
  /** list prices are log-normal around this median, in USD */
  medianPriceUsd: number;
  priceSigma: number;
  minPriceUsd: number;
  maxPriceUsd: number;
  medianWeightKg: number;
  weightSigma: number;
  /** probability that a delivered line of this category comes back */
  returnRate: number;
  /** added to the chance of taking one more unit: groceries come in twos and threes, TVs do not */
  multiUnitBias: number;
  nouns: readonly string[];
  variants: readonly string[];
}

export const categories: readonly CategoryProfile[] = [
  {
    name: "electronics", catalogShare: 0.15, medianPriceUsd: 79, priceSigma: 0.95, minPriceUsd: 6.99, maxPriceUsd: 2499,
    medianWeightKg: 0.6, weightSigma: 1.0, returnRate: 0.09, multiUnitBias: 0,
    nouns: ["Wireless Earbuds", "Bluetooth Speaker", "USB-C Charger", "27in 4K Monitor", "Mechanical Keyboard", "Gaming Mouse",
      "Smart Watch", "Noise-Cancelling Headphones", "Portable SSD 1TB", "Webcam 1080p", "Power Bank 20000mAh", "Tablet 10in"],
    variants: ["Black", "White", "Graphite", "Silver", "Blue"],
  },
  {
    name: "apparel", catalogShare: 0.18, medianPriceUsd: 32, priceSigma: 0.6, minPriceUsd: 6.99, maxPriceUsd: 349,
    medianWeightKg: 0.35, weightSigma: 0.6, returnRate: 0.22, multiUnitBias: 0.1,
    nouns: ["Crew Neck T-Shirt", "Slim Jeans", "Hooded Sweatshirt", "Rain Jacket", "Wool Socks 3-Pack", "Chino Shorts",
      "Linen Shirt", "Puffer Vest", "Running Tights", "Leather Belt", "Knit Beanie", "Oxford Shirt"],
    variants: ["S", "M", "L", "XL", "Navy", "Olive", "Charcoal"],
  },
  {
    name: "home", catalogShare: 0.14, medianPriceUsd: 39, priceSigma: 0.8, minPriceUsd: 4.99, maxPriceUsd: 899,
    medianWeightKg: 2.2, weightSigma: 0.9, returnRate: 0.07, multiUnitBias: 0.05,
    nouns: ["Cotton Bath Towel", "Nonstick Frying Pan", "Scented Candle", "LED Desk Lamp", "Throw Blanket", "Chef's Knife",
      "Storage Bins 4-Pack", "French Press", "Queen Sheet Set", "Cast Iron Skillet", "Air Purifier", "Wall Clock"],
    variants: ["Grey", "Ivory", "Sage", "Large", "Small"],
  },
  {
    name: "beauty", catalogShare: 0.12, medianPriceUsd: 18, priceSigma: 0.6, minPriceUsd: 3.99, maxPriceUsd: 189,
    medianWeightKg: 0.2, weightSigma: 0.6, returnRate: 0.04, multiUnitBias: 0.1,
    nouns: ["Hydrating Face Cream", "Vitamin C Serum", "Mineral Sunscreen SPF 50", "Argan Shampoo", "Matte Lipstick",
      "Hair Dryer", "Eye Palette", "Body Lotion", "Clay Mask", "Beard Oil"],
    variants: ["50ml", "100ml", "Travel Size", "Rose", "Nude"],
  },
  {
    name: "grocery", catalogShare: 0.12, medianPriceUsd: 6.5, priceSigma: 0.6, minPriceUsd: 0.99, maxPriceUsd: 59,
    medianWeightKg: 0.7, weightSigma: 0.7, returnRate: 0.01, multiUnitBias: 0.35,
    nouns: ["Ground Coffee", "Green Tea 40 Bags", "Extra Virgin Olive Oil", "Dark Chocolate Bar", "Granola", "Pasta 1lb",
      "Almond Butter", "Sparkling Water 12-Pack", "Basmati Rice 5lb", "Maple Syrup", "Trail Mix", "Hot Sauce"],
    variants: ["Organic", "Family Size", "Decaf", "Unsalted"],
  },
  {
    name: "toys", catalogShare: 0.09, medianPriceUsd: 24, priceSigma: 0.7, minPriceUsd: 4.99, maxPriceUsd: 299,
    medianWeightKg: 0.7, weightSigma: 0.8, returnRate: 0.05, multiUnitBias: 0.05,
    nouns: ["Building Bricks Set", "Plush Bear", "Jigsaw Puzzle 1000pc", "Remote Control Car", "Board Game", "Wooden Train Set",
      "Art Kit", "Dollhouse", "Science Kit", "Foam Dart Blaster"],
    variants: ["Deluxe", "Junior", "Classic"],
  },
  {
    name: "sports", catalogShare: 0.11, medianPriceUsd: 36, priceSigma: 0.85, minPriceUsd: 5.99, maxPriceUsd: 1299,
    medianWeightKg: 1.1, weightSigma: 1.0, returnRate: 0.08, multiUnitBias: 0.05,
    nouns: ["Yoga Mat", "Adjustable Dumbbells", "Running Shoes", "Insulated Water Bottle", "Camping Tent 2P", "Resistance Bands",
      "Cycling Helmet", "Tennis Racket", "Hiking Backpack 30L", "Jump Rope", "Soccer Ball", "Foam Roller"],
    variants: ["Blue", "Black", "Red", "Size 9", "Size 10"],
  },
  {
    name: "books", catalogShare: 0.09, medianPriceUsd: 16, priceSigma: 0.4, minPriceUsd: 4.99, maxPriceUsd: 69,
    medianWeightKg: 0.45, weightSigma: 0.4, returnRate: 0.03, multiUnitBias: 0.1,
    nouns: ["Mystery Novel", "Cookbook", "Science Fiction Novel", "Biography", "Children's Picture Book", "Travel Guide",
      "History of Rome", "Self-Help Guide", "Poetry Collection", "Data Engineering Handbook"],
    variants: ["Hardcover", "Paperback", "Illustrated"],
  },
];

export const categoryByName: ReadonlyMap<string, CategoryProfile> = new Map(categories.map((category) => [category.name, category]));

export const brands: readonly string[] = [
  "Northwind", "Acme", "Bluepeak", "Cedar & Co", "Everyday", "Fjord", "Greenleaf", "Harbor", "Ironwood", "Juniper",
  "Kestrel", "Lumen", "Maple Lane", "Nimbus", "Orbit", "Pinecrest", "Quarry", "Riverstone", "Summit", "Tidewater",
];

export interface City {
  name: string;
  /** state or province code */
  state: string;
  country: string;
  region: Region;
  lat: number;
  lon: number;
  /** combined sales tax charged on orders shipped here */
  salesTaxRate: number;
  /** relative number of shoppers who live here */
  populationWeight: number;
}

const city = (name: string, state: string, region: Region, lat: number, lon: number, salesTaxRate: number, populationWeight: number): City =>
  ({ name, state, country: "US", region, lat, lon, salesTaxRate, populationWeight });

/** US cities, largest markets first; stores open in this order. */
export const storeCities: readonly City[] = [
  city("New York", "NY", "east", 40.7128, -74.006, 0.08875, 8.3),
  city("Los Angeles", "CA", "west", 34.0522, -118.2437, 0.095, 3.9),
  city("Chicago", "IL", "north", 41.8781, -87.6298, 0.1025, 2.7),
  city("Houston", "TX", "south", 29.7604, -95.3698, 0.0825, 2.3),
  city("Phoenix", "AZ", "west", 33.4484, -112.074, 0.086, 1.6),
  city("Philadelphia", "PA", "east", 39.9526, -75.1652, 0.08, 1.6),
  city("San Antonio", "TX", "south", 29.4241, -98.4936, 0.0825, 1.5),
  city("San Diego", "CA", "west", 32.7157, -117.1611, 0.0775, 1.4),
  city("Dallas", "TX", "south", 32.7767, -96.797, 0.0825, 1.3),
  city("Austin", "TX", "south", 30.2672, -97.7431, 0.0825, 1.0),
  city("Columbus", "OH", "central", 39.9612, -82.9988, 0.075, 0.9),
  city("Charlotte", "NC", "south", 35.2271, -80.8431, 0.0725, 0.87),
  city("Seattle", "WA", "west", 47.6062, -122.3321, 0.1025, 0.75),
  city("Denver", "CO", "central", 39.7392, -104.9903, 0.0881, 0.71),
  city("Nashville", "TN", "south", 36.1627, -86.7816, 0.0925, 0.69),
  city("Boston", "MA", "east", 42.3601, -71.0589, 0.0625, 0.68),
  city("Portland", "OR", "west", 45.5152, -122.6784, 0, 0.65),
  city("Detroit", "MI", "north", 42.3314, -83.0458, 0.06, 0.63),
  city("Milwaukee", "WI", "north", 43.0389, -87.9065, 0.079, 0.58),
  city("Kansas City", "MO", "central", 39.0997, -94.5786, 0.0885, 0.51),
  city("Atlanta", "GA", "south", 33.749, -84.388, 0.089, 0.5),
  city("Miami", "FL", "south", 25.7617, -80.1918, 0.07, 0.45),
  city("Minneapolis", "MN", "north", 44.9778, -93.265, 0.0803, 0.43),
  city("Pittsburgh", "PA", "east", 40.4406, -79.9959, 0.07, 0.3),
  city("Salt Lake City", "UT", "west", 40.7608, -111.891, 0.0775, 0.2),
];

/** Where the few cross-border customers live; their orders ship from the nearest US store, tax-free. */
export const foreignCities: readonly City[] = [
  { name: "Toronto", state: "ON", country: "CA", region: "north", lat: 43.6532, lon: -79.3832, salesTaxRate: 0, populationWeight: 3 },
  { name: "Vancouver", state: "BC", country: "CA", region: "west", lat: 49.2827, lon: -123.1207, salesTaxRate: 0, populationWeight: 1.5 },
  { name: "Mexico City", state: "CMX", country: "MX", region: "south", lat: 19.4326, lon: -99.1332, salesTaxRate: 0, populationWeight: 2 },
  { name: "London", state: "LND", country: "GB", region: "east", lat: 51.5072, lon: -0.1276, salesTaxRate: 0, populationWeight: 1.5 },
  { name: "Berlin", state: "BE", country: "DE", region: "east", lat: 52.52, lon: 13.405, salesTaxRate: 0, populationWeight: 1 },
  { name: "Sydney", state: "NSW", country: "AU", region: "west", lat: -33.8688, lon: 151.2093, salesTaxRate: 0, populationWeight: 0.5 },
];

/** Countries that issue the cards seen on orders billed abroad (gifts, expats, and stolen cards). */
export const billingCountries: readonly string[] = ["US", "CA", "GB", "DE", "MX", "BR", "NG", "RO"];

/** Share of customers who live outside the US. */
export const foreignCustomerShare = 0.04;

export interface DepotSite {
  name: string;
  region: Region;
  lat: number;
  lon: number;
}

/** Distribution centres, in the order they open; three cover the country. */
export const depotSites: readonly DepotSite[] = [
  { name: "Columbus DC", region: "central", lat: 39.8836, lon: -82.8799 },
  { name: "Dallas DC", region: "south", lat: 32.6419, lon: -96.9112 },
  { name: "Reno DC", region: "west", lat: 39.5296, lon: -119.8138 },
  { name: "Allentown DC", region: "east", lat: 40.6084, lon: -75.4902 },
  { name: "Joliet DC", region: "north", lat: 41.525, lon: -88.0817 },
  { name: "Atlanta DC", region: "south", lat: 33.6407, lon: -84.4277 },
];
