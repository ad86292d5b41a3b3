import type { Kube, KubeObject } from "./kube.ts";
import { interrupted, notReady, settled, stuckPod, timedOut, type WaitFacts } from "./readiness.ts";
import { deploymentRef } from "./workloads.ts";

export interface WatchWait extends WaitFacts {
  pollMs: number;
  signal?: AbortSignal | undefined;
  watchSeconds?: number | undefined;
  /** The Deployment as last read, until the watch shows it (a time limit may come before the first event). */
  known?: KubeObject | undefined;
}

/**
 * Waits on one watch of the Deployment: `ready` once it is; otherwise the watch was refused or ended first (`seen`:
 * it had shown the Deployment). Stuck pods, the progress deadline, the time limit and the shutdown signal end it as
 * the polls would.
 */
export async function watchReady(
  kube: Kube,
  namespace: string,
  name: string,
  options: WatchWait,
): Promise<{ ready?: KubeObject; seen: boolean }> {
  let latest: KubeObject | undefined = options.known;
  let finish: (ready: KubeObject | undefined) => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const outcome = new Promise<KubeObject | undefined>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  // Events may settle it while the watch is still being opened: awaited below.
  outcome.catch(() => undefined);
  const onEvent = (type: string, object: unknown) => {
    if (type === "BOOKMARK" || type === "ERROR") return;
    try {
      const deployment = type === "DELETED" ? undefined : (object as KubeObject);
      const ready = settled(deployment, options.what);
      latest = deployment;
      if (ready) finish(ready);
    } catch (error) {
      fail(error);
    }
  };
  const timers: NodeJS.Timeout[] = [];
  let over = false;
  const abort = () => fail(interrupted(options.what));
  let watch: Awaited<ReturnType<NonNullable<Kube["watch"]>>> | undefined;
  try {
    watch = await (kube.watch as NonNullable<Kube["watch"]>)(deploymentRef(namespace, name), onEvent, {
      timeoutSeconds: options.watchSeconds ?? 300,
    });
    // A stream that ends before the Deployment is ready ends this watch's part: waitReady opens another or polls.
    watch.ended.then(
      () => finish(undefined),
      () => finish(undefined),
    );
    timers.push(
      setTimeout(() => fail(timedOut(latest, options)), Math.max(0, options.deadline - Date.now())),
    );
    // Pods are looked at while it is slow: after two polls' time, then every three.
    const pods = async () => {
      const stuck = latest && !over ? await stuckPod(kube, namespace, latest) : undefined;
      if (stuck) fail(notReady(options.what, stuck));
      else if (!over) timers.push(setTimeout(() => pods().catch(fail), options.pollMs * 3));
    };
    timers.push(setTimeout(() => pods().catch(fail), options.pollMs * 2));
    if (options.signal?.aborted) abort();
    options.signal?.addEventListener("abort", abort);
    const ready = await outcome;
    return ready ? { ready, seen: true } : { seen: latest !== undefined && latest !== options.known };
  } catch (error) {
    // Not opened (403: no `watch` in the role; no answer): polls take over, and meet the same trouble if it lasts.
    if (watch === undefined) return { seen: false };
    throw error;
  } finally {
    over = true;
    for (const timer of timers) clearTimeout(timer);
    options.signal?.removeEventListener("abort", abort);
    watch?.stop();
  }
}
