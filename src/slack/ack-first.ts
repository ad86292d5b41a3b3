/**
 * Acks before answers. Slack gives each request 3 s to be acked, and a burst of requests lands on one event
 * loop: when the work after one request's ack (a reply, a cluster read, a redraw) runs between the reads of the
 * others, every later ack waits for it. The receiver tells this gate when a request arrives and when its answer
 * has been sent; work after an ack waits until no request is open and none arrived during one more turn of the
 * event loop, or at most `maxWaitMs` (so a stream of requests delays the work but never starves it). A request
 * may expire (see `arrived`): one whose body is late, so a slow sender does not hold the work back.
 */
export class AckFirst {
  readonly #maxWaitMs: number;
  #open = 0;
  #arrivals = 0;
  #waiters: (() => void)[] = [];
  #checking = false;
  #cap: NodeJS.Timeout | undefined;

  constructor(options: { maxWaitMs?: number } = {}) {
    this.#maxWaitMs = options.maxWaitMs ?? 200;
  }

  /**
   * A request arrived; call the function returned once its answer has been sent (more calls are ignored).
   * `expiresMs`: it stops counting after that long even unanswered (a sender that never finishes, an envelope
   * nobody acks), unless `stillDue()` says it is on its way to an answer then.
   */
  arrived(expiry?: { expiresMs: number; stillDue?: () => boolean }): () => void {
    this.#open++;
    this.#arrivals++;
    let answered = false;
    let timer: NodeJS.Timeout | undefined;
    const answer = () => {
      clearTimeout(timer);
      if (answered) return;
      answered = true;
      this.#open--;
      this.#check();
    };
    if (expiry) {
      timer = setTimeout(() => {
        if (!expiry.stillDue?.()) answer();
      }, expiry.expiresMs);
      timer.unref();
    }
    return answer;
  }

  /** Requests seen since the start. */
  get arrivals(): number {
    return this.#arrivals;
  }

  /** Requests between arrival and answer. */
  get open(): number {
    return this.#open;
  }

  /** Resolves once the receiver is quiet (see the class), or after `maxWaitMs`. */
  quiet(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      if (!this.#cap) {
        this.#cap = setTimeout(() => this.#release(), this.#maxWaitMs);
      }
      this.#check();
    });
  }

  #check(): void {
    if (this.#checking || this.#waiters.length === 0 || this.#open > 0) return;
    this.#checking = true;
    const seen = this.#arrivals;
    // One more turn: requests whose bytes are already waiting on their sockets are read (and acked) first.
    setImmediate(() => {
      this.#checking = false;
      if (this.#open > 0) return; // the last answer calls #check again
      if (this.#arrivals === seen) this.#release();
      else this.#check();
    });
  }

  #release(): void {
    clearTimeout(this.#cap);
    this.#cap = undefined;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}
