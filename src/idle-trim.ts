import { getHeapSpaceStatistics } from "node:v8";

/** V8's young generation as committed now (bytes). */
export function youngGenerationBytes(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === "new_space")?.space_size ?? 0;
}

export interface IdleTrimOptions {
  /** Requests seen so far (a counter): a change means the process was not idle. */
  arrivals: () => number;
  /** Whether work is still running (after acks, schedules). */
  busy: () => boolean;
  /** A full collection that gives memory back; none (no `--expose-gc`) makes trimming a no-op. */
  gc?: (() => void) | undefined;
  /** Young generation above this when idle is trimmed (bytes). */
  youngLimitBytes?: number;
  youngBytes?: () => number;
  intervalMs?: number;
  onTrim?: (youngBefore: number, youngAfter: number) => void;
}

/**
 * Gives memory back when nobody is asking. A burst of Slack requests is acked fastest with a young generation of
 * several MB (each scavenge then promotes little of the requests still in flight), and V8 keeps that space
 * committed after the burst. Once a whole interval passed with no request and no work running, one full
 * collection of everything collectable shrinks it again, so the process idles small and still answers bursts
 * quickly. One collection per quiet spell, and only when the young generation grew past its limit.
 */
export function idleTrim(options: IdleTrimOptions): { tick(): boolean; start(): void; stop(): void } {
  const gc = options.gc;
  const limit = options.youngLimitBytes ?? 4 * 2 ** 20;
  const youngBytes = options.youngBytes ?? youngGenerationBytes;
  let seen = options.arrivals();
  let timer: NodeJS.Timeout | undefined;
  const tick = (): boolean => {
    const arrivals = options.arrivals();
    const quiet = arrivals === seen;
    seen = arrivals;
    if (!gc || !quiet || options.busy()) return false;
    const before = youngBytes();
    if (before <= limit) return false;
    gc();
    options.onTrim?.(before, youngBytes());
    return true;
  };
  return {
    tick,
    start() {
      timer ??= setInterval(tick, options.intervalMs ?? 5_000);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

/** The collection `idleTrim` runs: everything collectable, synchronously (needs `--expose-gc`). */
export function lastResortGc(): (() => void) | undefined {
  const gc = globalThis.gc;
  if (!gc) return undefined;
  return () => void gc({ type: "major", execution: "sync", flavor: "last-resort" });
}
