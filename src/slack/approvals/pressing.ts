/**
 * Presses of Approve between their ack and the write that starts their change. Work that only tells people what
 * happened (redrawing a request, a note in the thread) waits until none is, for at most `maxWaitMs`: under a burst
 * of presses (many approvers at once), every approved change reaches the cluster before the event loop spends
 * itself drawing messages about the first ones.
 */
export class Pressing {
  readonly #maxWaitMs: number;
  #running = 0;
  #waiting: (() => void)[] = [];

  constructor(maxWaitMs = 1_000) {
    this.#maxWaitMs = maxWaitMs;
  }

  /** One press begins; the function returned says it has reached its write (or ended without one). */
  begin(): () => void {
    this.#running += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#running -= 1;
      if (this.#running > 0) return;
      const waiting = this.#waiting;
      this.#waiting = [];
      for (const go of waiting) go();
    };
  }

  /** Resolves once no press is before its write, or after `maxWaitMs`. */
  idle(): Promise<void> {
    if (this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const go = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(go, this.#maxWaitMs);
      this.#waiting.push(go);
    });
  }
}
