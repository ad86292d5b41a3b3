import type { AckFirst } from "./ack-first.ts";

/**
 * Work that runs after ack(): listeners hand their promise here so that shutdown can wait for it rather than
 * cutting a Kubernetes change or a Slack reply in half.
 */
export class InFlight {
  readonly #running = new Set<Promise<unknown>>();
  readonly #ackFirst: AckFirst | undefined;

  /** With `ackFirst`, work after an ack also waits until the receiver has acked the requests of a burst. */
  constructor(options: { ackFirst?: AckFirst } = {}) {
    this.#ackFirst = options.ackFirst;
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.#running.add(work);
    const done = () => this.#running.delete(work);
    work.then(done, done);
    return work;
  }

  /**
   * Runs `work` after ack(), tracked. It starts on a later turn of the event loop, so the requests of a burst
   * that are already waiting are read and acked before any of them starts its heavier work; with an AckFirst
   * gate, once the receiver has no request left to ack.
   */
  afterAck<T>(work: () => Promise<T>): Promise<T> {
    return this.track((this.#ackFirst ? this.#ackFirst.quiet() : nextTurn()).then(work));
  }

  get size(): number {
    return this.#running.size;
  }

  /** Resolves true when everything finished, false if the timeout came first. */
  async drain(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const all = Promise.allSettled([...this.#running]).then(() => true as const);
    const finished = await Promise.race([all, timeout]);
    clearTimeout(timer);
    return finished;
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
