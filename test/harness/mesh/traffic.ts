// Steady background traffic: a timer that sends a fixed budget of requests per tick.
import { addResult, emptyCounts, type SendResult, type TrafficCounts } from "./traffic-counts.ts";
import type { MeshRequest } from "./types.ts";

export interface TrafficPlan {
  rps: number;
  /** One request template, or a generator given the request's index (a mix of users, headers, paths). */
  requests: MeshRequest | ((index: number) => MeshRequest);
  /** How often the cluster is re-read so route changes take effect; 1 s by default. */
  refreshMs?: number;
  /** Stops by itself after this many requests. */
  maxRequests?: number;
  tickMs?: number;
}

export interface RunningTraffic {
  readonly counts: TrafficCounts;
  /** The last failure to read the cluster; traffic keeps flowing on the previous snapshot, as sidecars do. */
  readonly lastError: unknown;
  stop(): Promise<void>;
}

export interface TrafficDeps {
  send(request: MeshRequest): SendResult;
  refresh(): Promise<unknown>;
  onStop(): void;
}

export function runTraffic(plan: TrafficPlan, deps: TrafficDeps): RunningTraffic {
  if (!(plan.rps > 0)) throw new RangeError("traffic needs rps > 0");
  const tickMs = plan.tickMs ?? 100;
  const refreshMs = plan.refreshMs ?? 1_000;
  const maxRequests = plan.maxRequests ?? Number.POSITIVE_INFINITY;
  const counts = emptyCounts();
  let budget = 0;
  let lastError: unknown;
  let refreshing: Promise<void> | undefined;
  let lastRefresh = Date.now();
  let stopped = false;
  // No traffic until the cluster has been read once: requests on an empty snapshot would all be 503s.
  let started = false;

  const refresh = (): void => {
    if (refreshing) return;
    lastRefresh = Date.now();
    refreshing = deps
      .refresh()
      .then(
        () => {
          lastError = undefined;
        },
        (error: unknown) => {
          lastError = error;
        },
      )
      .finally(() => {
        refreshing = undefined;
      });
  };

  const tick = (): void => {
    if (Date.now() - lastRefresh >= refreshMs) refresh();
    if (!started) return;
    budget += (plan.rps * tickMs) / 1000;
    // At most one second's worth per tick, so a stalled event loop cannot trigger a burst.
    const n = Math.min(Math.floor(budget), Math.ceil(plan.rps), maxRequests - counts.total);
    budget -= Math.max(0, n);
    for (let i = 0; i < n; i++) {
      const request = typeof plan.requests === "function" ? plan.requests(counts.total) : plan.requests;
      addResult(counts, deps.send(request));
    }
    if (counts.total >= maxRequests) void running.stop();
  };

  refresh();
  void refreshing?.then(() => {
    started = true;
  });
  const timer = setInterval(tick, tickMs);
  const running: RunningTraffic = {
    counts,
    get lastError() {
      return lastError;
    },
    async stop() {
      if (!stopped) {
        stopped = true;
        clearInterval(timer);
        deps.onStop();
      }
      await refreshing;
    },
  };
  return running;
}
