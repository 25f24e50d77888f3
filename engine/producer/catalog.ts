/**
 * The synthetic shop: users and SKUs with fixed ids, and per SKU a fixed category and price,
 * all drawn from the seed. Strings are built once here so that making an event allocates
 * only the event's own text.
 */
import { Random } from './random.js';

const CATEGORIES = [
  'electronics',
  'books',
  'fashion',
  'home',
  'beauty',
  'sports',
  'toys',
  'grocery',
  'garden',
  'automotive',
  'health',
  'music',
];

export class Catalog {
  readonly userIds: string[];
  readonly itemIds: string[];
  readonly itemCategory: string[];
  /** Price as it appears in the JSON text, e.g. "19.99". */
  readonly itemPriceText: string[];
  readonly itemPrice: Float64Array;

  constructor(users: number, items: number, seed: string) {
    const rng = new Random(`${seed}/catalog`);
    const uw = String(users - 1).length;
    const iw = String(items - 1).length;
    this.userIds = Array.from({ length: users }, (_, i) => `user-${String(i).padStart(uw, '0')}`);
    this.itemIds = Array.from({ length: items }, (_, i) => `SKU-${String(i).padStart(iw, '0')}`);
    this.itemCategory = new Array(items);
    this.itemPriceText = new Array(items);
    this.itemPrice = new Float64Array(items);
    for (let i = 0; i < items; i++) {
      this.itemCategory[i] = CATEGORIES[rng.below(CATEGORIES.length)];
      // Long-tailed prices, mostly a few dollars to a few hundred, in whole cents.
      const cents = 199 + Math.round(rng.exponential(4500));
      this.itemPrice[i] = cents / 100;
      this.itemPriceText[i] = (cents / 100).toFixed(2);
    }
  }

  get users(): number {
    return this.userIds.length;
  }

  get items(): number {
    return this.itemIds.length;
  }
}
