/**
 * SOURCE_CONSUMERS librdkafka consumers in one engine, each reading a share of the partitions
 * (partition p goes to consumer p mod n), behind the one KafkaSource face the engine uses. One
 * consumer is one broker thread fetching and one libuv thread packing batches, whose ceiling
 * (results/stage-ceilings.json) would cap a large host before anything else does. Every consume call asks each consumer at once; what any of them took is always handed
 * on, so a failing consumer never makes another's messages vanish.
 */
import type Kafka from 'node-rdkafka';
import type { KafkaConnection } from '../config/kafka.js';
import { KafkaSource, OFFSET_BEGINNING } from './kafka-source.js';
import type { Segment } from './rdkafka-batch.js';

/** What the engine and the batch loop use of a source (KafkaSource has it too). */
export type Source = Pick<
  KafkaSource,
  | 'topic'
  | 'connect'
  | 'assignAll'
  | 'discover'
  | 'hasCommits'
  | 'probeBroker'
  | 'consume'
  | 'isIdle'
  | 'lag'
  | 'commit'
  | 'close'
  | 'client'
>;

/** What a source tells its role, and the role's policy for offsets out of range. */
export type SourceHooks = Pick<
  NonNullable<ConstructorParameters<typeof KafkaSource>[3]>,
  'onBrokerLost' | 'onRetry' | 'onReset' | 'outOfRange'
>;

/** The single engine's source: one consumer, or a SourceGroup of SOURCE_CONSUMERS. */
export function engineSourceOf(
  cfg: KafkaConnection & { kafkaTopic: string; consumerGroup: string; sourceConsumers: number },
  hooks: SourceHooks,
): Source {
  const { kafkaTopic: topic, consumerGroup: group, sourceConsumers: n } = cfg;
  return n > 1 ? new SourceGroup(cfg, topic, group, n, hooks) : new KafkaSource(cfg, topic, group, hooks);
}

export class SourceGroup implements Source {
  private readonly sources: KafkaSource[];
  /** A consumer's failure in a call where others brought messages: thrown at the next call. */
  private failure: unknown;

  constructor(
    conn: KafkaConnection,
    readonly topic: string,
    group: string,
    count: number,
    options: ConstructorParameters<typeof KafkaSource>[3] = {},
  ) {
    this.sources = Array.from({ length: count }, () => new KafkaSource(conn, topic, group, options));
  }

  private owner(partition: number): KafkaSource {
    return this.sources[partition % this.sources.length];
  }

  async connect(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.connect()));
  }

  async assignAll(offsets: Record<number, number>): Promise<number[]> {
    const ids = await this.sources[0].partitionIds();
    this.sources.forEach((s, k) => {
      const mine = ids.filter((p) => p % this.sources.length === k);
      s.assign(new Map(mine.map((p) => [p, offsets[p] ?? OFFSET_BEGINNING])));
    });
    return ids;
  }

  async discover(): Promise<number[]> {
    const found = await Promise.all(this.sources.map((s, k) => s.discoverShare(k, this.sources.length)));
    return found.flat().sort((a, b) => a - b);
  }

  async hasCommits(): Promise<boolean> {
    return (await Promise.all(this.sources.map((s) => s.hasCommits()))).some(Boolean);
  }

  probeBroker(timeoutMs: number): Promise<void> {
    return this.sources[0].probeBroker(timeoutMs);
  }

  async consume(n: number): Promise<Segment[]> {
    this.throwFailure();
    const share = Math.ceil(n / this.sources.length);
    const results = await Promise.allSettled(this.sources.map((s) => s.consume(share)));
    const segments: Segment[] = [];
    for (const r of results) {
      if (r.status === 'fulfilled') segments.push(...r.value);
      else this.failure ??= r.reason;
    }
    if (segments.length === 0) this.throwFailure();
    return segments;
  }

  private throwFailure(): void {
    const e = this.failure;
    this.failure = undefined;
    if (e !== undefined) throw e;
  }

  isIdle(partition: number, idleMs: number): boolean {
    return this.owner(partition).isIdle(partition, idleMs);
  }

  lag(): Map<number, number> {
    return new Map(this.sources.flatMap((s) => [...s.lag()]));
  }

  commit(offsets: Record<number, number>): void {
    const shares = this.sources.map(() => ({}) as Record<number, number>);
    for (const [p, o] of Object.entries(offsets)) shares[Number(p) % this.sources.length][Number(p)] = o;
    for (const [k, s] of this.sources.entries()) s.commit(shares[k]);
  }

  async close(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.close()));
  }

  /** The first consumer's client (only a merger needs one, and it has one consumer). */
  get client(): Kafka.KafkaConsumer {
    return this.sources[0].client;
  }
}
