import type { Kube, KubeObject } from "./kube.ts";
import { interrupted, notReady, settled, stuckPod, timedOut, type WaitFacts } from "./readiness.ts";
import { watchReady } from "./ready-watch.ts";
import { deploymentRef } from "./workloads.ts";

export { isReady } from "./readiness.ts";

export interface WaitReadyOptions {
  timeoutMs: number;
  pollMs: number;
  sleep?: (ms: number) => Promise<void>;
  /** Stops the wait (shutdown); it then fails with a retryable error. */
  signal?: AbortSignal;
  /** How long one watch may stay open before it is opened anew (default 5 minutes). */
  watchSeconds?: number;
  /**
   * A Deployment created a moment ago, whose controller cannot have made its pods ready yet: no read first (an
   * immediate read would only say "not ready"); the watch's first event shows it, or without a watch the first
   * read comes after one poll.
   */
  justCreated?: boolean;
}

/**
 * Resolves with the Deployment once its pods are all ready and the controller has seen its latest spec; one
 * read when it already is. Fails (not retryable) when a pod is stuck pulling its image or the rollout
 * passed its progress deadline; fails retryable when the time runs out. While it is not ready, one watch on the
 * Deployment tells as soon as it is (pods are listed every few polls' time, only while it is slow); where the
 * watch is refused (RBAC without `watch`) or breaks, the Deployment is read every poll instead.
 */
export async function waitReady(
  kube: Kube,
  namespace: string,
  name: string,
  options: WaitReadyOptions,
): Promise<KubeObject> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = Date.now() + options.timeoutMs;
  const wait = { ...options, sleep, deadline, what: `Deployment ${namespace}/${name}` };
  if (!kube.watch) return pollReady(kube, namespace, name, { ...wait, pauseFirst: options.justCreated });
  // A Deployment created a moment ago cannot be ready yet: the watch's first event shows it as it is.
  let known: KubeObject | undefined;
  if (!options.justCreated) {
    known = await kube.get<KubeObject>(deploymentRef(namespace, name));
    const ready = settled(known, wait.what);
    if (ready) return ready;
  }
  for (;;) {
    const opened = Date.now();
    const watched = await watchReady(kube, namespace, name, { ...wait, known });
    if (watched.ready) return watched.ready;
    // A watch that showed the Deployment and then ended (at `watchSeconds`; client-node ends one silent for 30 s)
    // is opened again: it starts from the Deployment as it is. Refused, or ended within a second: polls take over
    // for the time left.
    if (!watched.seen || Date.now() - opened < 1000) break;
  }
  return pollReady(kube, namespace, name, { ...wait, pauseFirst: true });
}

interface Wait extends WaitReadyOptions, WaitFacts {}

/** Reads the Deployment every poll until it is ready (the shape of the wait before watches). */
async function pollReady(
  kube: Kube,
  namespace: string,
  name: string,
  options: Wait & { sleep: (ms: number) => Promise<void>; pauseFirst: boolean | undefined },
): Promise<KubeObject> {
  const { what, sleep } = options;
  if (options.pauseFirst) await pause(sleep, options, what);
  for (let round = 0; ; round++) {
    const deployment = await kube.get<KubeObject>(deploymentRef(namespace, name));
    const ready = settled(deployment, what);
    if (ready) return ready;
    // Pods are read every few rounds only: a Deployment that is merely slow costs one read per round.
    if (round % 3 === 1 && deployment) {
      const stuck = await stuckPod(kube, namespace, deployment);
      if (stuck) throw notReady(what, stuck);
    }
    if (Date.now() + options.pollMs > options.deadline) throw timedOut(deployment, options);
    await pause(sleep, options, what);
  }
}

async function pause(sleep: (ms: number) => Promise<void>, options: WaitReadyOptions, what: string) {
  await sleep(options.pollMs);
  if (options.signal?.aborted) throw interrupted(what);
}
