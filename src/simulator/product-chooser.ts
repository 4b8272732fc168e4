// Which product a shopper looks at: popularity (a few bestsellers, a long tail) shaped by the segment's
// taste for cheap or dear items, optionally within the category the session is focused on.
import { customerSegments, type Catalog, type CustomerSegment } from "./catalog.js";
import type { Random } from "./random.js";
import { WeightedPicker } from "./random.js";
import { segmentBehaviours } from "./segments.js";

export class ProductChooser {
  /** category names that have at least one product */
  readonly categories: readonly string[];
  private readonly anyProduct = new Map<CustomerSegment, WeightedPicker<number>>();
  private readonly inCategory = new Map<string, WeightedPicker<number>>();
  private readonly categoryPicker: WeightedPicker<string>;

  constructor(catalog: Catalog) {
    const productIndexes = catalog.products.map((_, index) => index);
    const byCategory = new Map<string, number[]>();
    for (const index of productIndexes) {
      const category = (catalog.products[index] as Catalog["products"][number]).category;
      const members = byCategory.get(category) ?? [];
      members.push(index);
      byCategory.set(category, members);
    }
    this.categories = [...byCategory.keys()].sort();

    const affinityWeight = (productIndex: number, segment: CustomerSegment): number => {
      const product = catalog.products[productIndex] as Catalog["products"][number];
      return product.popularity * Math.max(product.price, 1) ** segmentBehaviours[segment].priceAffinity;
    };
    for (const segment of customerSegments) {
      this.anyProduct.set(segment, new WeightedPicker(productIndexes, productIndexes.map((index) => affinityWeight(index, segment))));
      for (const category of this.categories) {
        const members = byCategory.get(category) ?? [];
        this.inCategory.set(pickerKey(segment, category), new WeightedPicker(members, members.map((index) => affinityWeight(index, segment))));
      }
    }
    // Sessions focus on a category in proportion to the demand for its products.
    this.categoryPicker = new WeightedPicker(
      this.categories,
      this.categories.map((category) =>
        (byCategory.get(category) ?? []).reduce((sum, index) => sum + (catalog.products[index]?.popularity ?? 0), 0),
      ),
    );
  }

  pickCategory(random: Random): string {
    return this.categoryPicker.pick(random);
  }

  /** A product index; within `category` when given. */
  pickProduct(random: Random, segment: CustomerSegment, category?: string): number {
    const picker = category === undefined ? this.anyProduct.get(segment) : this.inCategory.get(pickerKey(segment, category));
    if (!picker) throw new RangeError(`no products for segment ${segment} in category ${category ?? "(any)"}`);
    return picker.pick(random);
  }
}

const pickerKey = (segment: CustomerSegment, category: string): string => `${segment}/${category}`;
