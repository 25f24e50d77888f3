/**
 * The funnel aggregates (docs/contract.md, "Funnel and sessions"), owned by the flusher thread
 * beside AggregateState: per item and per category the four steps' counts (view, click,
 * add_to_cart, purchase) and the purchases' revenue in whole cents, per category its events, and
 * the global sums. Cents are integers held in doubles: exact up to 2^53 cents (90 trillion dollars).
 */
import { FUNNEL_STEPS } from '../shared/event-rules.js';
import type { FunnelLayout } from '../shared/funnel-layout.js';
import type { FunnelDelta } from '../shared/messages.js';
import { Dictionary, ensureCapacity } from './dictionary.js';

/** Steps and cents of a set of dense ids, growable. */
export class FunnelColumns {
  steps = new Float64Array(1024 * FUNNEL_STEPS);
  cents = new Float64Array(1024);

  ensure(n: number): void {
    this.steps = ensureCapacity(this.steps, n * FUNNEL_STEPS);
    this.cents = ensureCapacity(this.cents, n);
  }

  /** Adds row k of a delta's funnel array (steps from `stepsAt`, cents from `centsAt`) to id i. */
  add(i: number, f: Float64Array, stepsAt: number, centsAt: number, k: number): void {
    for (let s = 0; s < FUNNEL_STEPS; s++)
      this.steps[i * FUNNEL_STEPS + s] += f[stepsAt + k * FUNNEL_STEPS + s];
    this.cents[i] += f[centsAt + k];
  }

  step(i: number, s: number): number {
    return this.steps[i * FUNNEL_STEPS + s];
  }
}

export class FunnelState {
  /** Indexed by AggregateState's item index (which keeps it as large as its items). */
  readonly items = new FunnelColumns();
  readonly categories = new Dictionary('categories');
  readonly categoryColumns = new FunnelColumns();
  categoryTotal = new Float64Array(64);
  /** Global sums of the steps, cents, and purchases without a price. */
  readonly steps = new Float64Array(FUNNEL_STEPS);
  cents = 0;
  purchasesWithoutPrice = 0;
  private categoryDirtyFlag = new Uint8Array(64);
  private categoryDirty: number[] = [];

  /**
   * One batch's funnel (`at`: the layout of its funnel array); `itemIndex[k]` is the state's
   * index of the delta's item k.
   */
  apply(d: FunnelDelta, at: FunnelLayout, itemIndex: Uint32Array): void {
    const f = d.funnel;
    for (let k = 0; k < itemIndex.length; k++) this.items.add(itemIndex[k], f, at.itemSteps, at.itemCents, k);
    for (let k = 0; k < d.categoryIds.length; k++) {
      const c = this.internCategory(d.categoryIds[k]);
      this.categoryTotal[c] += f[at.categoryCounts + k];
      this.categoryColumns.add(c, f, at.categorySteps, at.categoryCents, k);
      for (let s = 0; s < FUNNEL_STEPS; s++) this.steps[s] += f[at.categorySteps + k * FUNNEL_STEPS + s];
      this.cents += f[at.categoryCents + k];
      this.markCategory(c);
    }
    this.purchasesWithoutPrice += d.purchasesWithoutPrice;
  }

  internCategory(id: string): number {
    const c = this.categories.intern(id);
    if (c >= this.categoryTotal.length) {
      this.categoryTotal = ensureCapacity(this.categoryTotal, c + 1);
      this.categoryDirtyFlag = ensureCapacity(this.categoryDirtyFlag, c + 1);
    }
    this.categoryColumns.ensure(c + 1);
    return c;
  }

  markCategory(c: number): void {
    if (this.categoryDirtyFlag[c] === 0) {
      this.categoryDirtyFlag[c] = 1;
      this.categoryDirty.push(c);
    }
  }

  categoryIsDirty(c: number): boolean {
    return this.categoryDirtyFlag[c] === 1;
  }

  takeDirty(): number[] {
    const out = this.categoryDirty;
    for (const c of out) this.categoryDirtyFlag[c] = 0;
    this.categoryDirty = [];
    return out;
  }
}
