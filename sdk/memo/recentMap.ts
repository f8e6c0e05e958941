/**
 * A map that keeps its `capacity` most recently used entries: `get` and `set` make an entry the most
 * recent, and `set` past the capacity drops the least recent. For the services' small memos (request
 * body hashes, a job's fixed terms, a shard's tree) that must not grow with a long run.
 */
export class RecentMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError("capacity must be a positive integer");
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    if (!this.entries.has(key)) return undefined;
    const value = this.entries.get(key) as V;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Every entry, least recently used first; reading them does not change their order. */
  entriesByAge(): IterableIterator<[K, V]> {
    return this.entries.entries();
  }
}
