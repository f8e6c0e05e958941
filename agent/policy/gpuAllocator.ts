/**
 * Hands out the host's GPUs per shard (PROTOCOL §12.5): each shard gets the free devices it asks
 * for, lowest index first, and gives them back when its run ends, so two shards never share a GPU
 * and the second job does not land on GPU 0 as well. In memory only: after a restart the shards in
 * flight acquire again when they run, and admission (`decideShard`) counts GPUs from the journal.
 */
export class GpuAllocator {
  private readonly holders = new Map<string, readonly string[]>();

  /** @param devices the host's GPU ids (nvidia-smi UUIDs, or indices), in index order. */
  constructor(private readonly devices: readonly string[]) {}

  /** Devices held by no shard, in index order. */
  free(): string[] {
    const held = new Set([...this.holders.values()].flat());
    return this.devices.filter((d) => !held.has(d));
  }

  /**
   * `count` free devices for `holder` (the same ones again if it already holds them), or undefined
   * when fewer are free (nothing is taken then).
   */
  acquire(holder: string, count: number): string[] | undefined {
    const mine = this.holders.get(holder);
    if (mine !== undefined && mine.length === count) return [...mine];
    if (mine !== undefined) this.holders.delete(holder);
    const free = this.free();
    if (free.length < count) {
      if (mine !== undefined) this.holders.set(holder, mine);
      return undefined;
    }
    const taken = free.slice(0, count);
    this.holders.set(holder, taken);
    return [...taken];
  }

  /** Gives back what `holder` holds (nothing happens when it holds none). */
  release(holder: string): void {
    this.holders.delete(holder);
  }
}
