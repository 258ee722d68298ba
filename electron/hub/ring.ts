/** A fixed-capacity ring: the newest `capacity` items, oldest first on read. Allocation-free once full. */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  get size(): number {
    return this.count;
  }

  /** Oldest first; at most `limit` of the newest. */
  toArray(limit = this.count): T[] {
    const take = Math.min(limit, this.count);
    const out: T[] = [];
    for (let i = this.count - take; i < this.count; i++) out.push(this.items[(this.next - this.count + i + this.capacity) % this.capacity]!);
    return out;
  }

  clear(): void {
    this.items.fill(undefined);
    this.next = 0;
    this.count = 0;
  }
}
