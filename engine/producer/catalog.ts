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
  /** Price as it appears in the JSON text, e.g. "19.9". */
  readonly itemPriceText: string[];
  readonly itemPrice: Float64Array;
  /** JSON fragments `","user_id":"<id>` per user, for the producer's byte writer. */
  readonly userJson: Uint8Array[];
  /** JSON fragments `","item_id":"<id>","category":"<c>","price_usd":<p>,"interaction_type":"` per SKU. */
  readonly itemJson: Uint8Array[];

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
      this.itemPriceText[i] = String(cents / 100); // as JSON.stringify writes it
    }
    // Fixed per id, so built once: an event then copies one fragment per id instead of four.
    this.userJson = this.userIds.map((u) => new Uint8Array(Buffer.from(`","user_id":"${u}`, 'latin1')));
    this.itemJson = this.itemIds.map(
      (id, i) =>
        new Uint8Array(
          Buffer.from(
            `","item_id":"${id}","category":"${this.itemCategory[i]}","price_usd":${this.itemPriceText[i]},"interaction_type":"`,
            'latin1',
          ),
        ),
    );
  }

  get users(): number {
    return this.userIds.length;
  }

  get items(): number {
    return this.itemIds.length;
  }
}
