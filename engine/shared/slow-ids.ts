/** Ids that came through the reference validator (non-ASCII, escapes): deduplicated by string. */
export class SlowIds {
  readonly index = new Map<string, number>();
  readonly ids: string[] = [];
  readonly counts: number[] = [];

  add(id: string): number {
    let k = this.index.get(id);
    if (k === undefined) {
      k = this.ids.length;
      this.index.set(id, k);
      this.ids.push(id);
      this.counts.push(0);
    }
    this.counts[k]++;
    return k;
  }
}
