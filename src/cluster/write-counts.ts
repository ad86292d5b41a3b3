/**
 * Writes begun per key (a namespace and kind, or one object). A read answered after a write of its key began may
 * or may not show that write, so what it answered is not remembered.
 */
export class WriteCounts {
  readonly #counts = new Map<string, number>();

  count(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  /** A write is about to be sent, or was answered. */
  bump(key: string): void {
    this.#counts.set(key, this.count(key) + 1);
  }

  /** Runs `read`; `keep` gets its answer only if no write of `key` began meanwhile. */
  async readUnlessWritten<T>(key: string, read: () => Promise<T>, keep: (answer: T) => void): Promise<T> {
    const before = this.count(key);
    const answer = await read();
    if (this.count(key) === before) keep(answer);
    return answer;
  }
}
