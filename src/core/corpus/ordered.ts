/**
 * Results that complete out of order (several jobs) released in input order as soon as every
 * earlier one is in: output is the same for --jobs 1 and --jobs 8, and still streams.
 */
export class InOrder<T> {
  private next = 0;
  private readonly waiting = new Map<number, T>();

  constructor(private readonly emit: (item: T, index: number) => void) {}

  /** Adds the result for position `index` (0-based, each once); emits every result now due. */
  put(index: number, item: T): void {
    if (index < this.next || this.waiting.has(index)) throw new Error(`result ${index} was already put`);
    this.waiting.set(index, item);
    while (this.waiting.has(this.next)) {
      const due = this.waiting.get(this.next) as T;
      this.waiting.delete(this.next);
      this.emit(due, this.next);
      this.next++;
    }
  }

  /** How many results have been emitted. */
  get emitted(): number {
    return this.next;
  }
}
