import { UserFacingError } from "../release/index.ts";
import type { Kube, KubeObject } from "./kube.ts";
import { deploymentRef } from "./workloads.ts";

export interface WaitReadyOptions {
  timeoutMs: number;
  pollMs: number;
  sleep?: (ms: number) => Promise<void>;
  /** Stops the wait (shutdown); it then fails with a retryable error. */
  signal?: AbortSignal;
  /**
   * Waits one poll before the first read: for a Deployment created a moment ago, whose controller cannot have
   * made its pods ready yet, an immediate read would only say "not ready".
   */
  justCreated?: boolean;
}

// Waiting reasons that do not clear up by waiting longer.
const STUCK = [
  "ImagePullBackOff",
  "ErrImagePull",
  "InvalidImageName",
  "CrashLoopBackOff",
  "CreateContainerConfigError",
];

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
  if (!options.justCreated) {
    const ready = settled(await kube.get<KubeObject>(deploymentRef(namespace, name)), wait.what);
    if (ready) return ready;
  }
  const watched = await watchReady(kube, namespace, name, wait);
  // Refused or ended early: polls take over for the time left.
  return watched ?? pollReady(kube, namespace, name, { ...wait, pauseFirst: true });
}

interface Wait extends WaitReadyOptions {
  deadline: number;
  what: string;
}

/** The Deployment when it is ready; throws when it is gone or stalled; undefined while it is coming up. */
function settled(deployment: KubeObject | undefined, what: string): KubeObject | undefined {
  if (!deployment) throw new UserFacingError("not-found", `${what} is gone, so it cannot become ready.`);
  if (isReady(deployment)) return deployment;
  const stalled = progressDeadline(deployment);
  if (stalled) throw new UserFacingError("not-ready", `${what} did not become ready: ${stalled}`);
  return undefined;
}

function timedOut(deployment: KubeObject | undefined, options: Wait): UserFacingError {
  const ready = Number(deployment?.status?.readyReplicas ?? 0);
  const of = deployment ? replicas(deployment) : 1;
  return new UserFacingError(
    "not-ready",
    `${options.what} has ${ready} of ${of} pods ready after ${Math.round(options.timeoutMs / 1000)} s; no traffic was moved to it. Retry when its pods are ready.`,
    { retryable: true },
  );
}

function interrupted(what: string): UserFacingError {
  return new UserFacingError("interrupted", `Stopped waiting for ${what}: Graydesk is shutting down.`, {
    retryable: true,
  });
}

/**
 * Waits on one watch of the Deployment: resolves with it once ready, or undefined when the watch was refused or
 * ended first. Stuck pods, the progress deadline, the time limit and the shutdown signal end it as the polls would.
 */
async function watchReady(
  kube: Kube,
  namespace: string,
  name: string,
  options: Wait,
): Promise<KubeObject | undefined> {
  let latest: KubeObject | undefined;
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
    watch = await (kube.watch as NonNullable<Kube["watch"]>)(deploymentRef(namespace, name), onEvent);
    // A stream that ends before the Deployment is ready hands over to the polls.
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
      if (stuck) fail(new UserFacingError("not-ready", `${options.what} did not become ready: ${stuck}`));
      else if (!over) timers.push(setTimeout(() => pods().catch(fail), options.pollMs * 3));
    };
    timers.push(setTimeout(() => pods().catch(fail), options.pollMs * 2));
    if (options.signal?.aborted) abort();
    options.signal?.addEventListener("abort", abort);
    return await outcome;
  } catch (error) {
    // Not opened (403: no `watch` in the role; no answer): polls take over, and meet the same trouble if it lasts.
    if (watch === undefined) return undefined;
    throw error;
  } finally {
    over = true;
    for (const timer of timers) clearTimeout(timer);
    options.signal?.removeEventListener("abort", abort);
    watch?.stop();
  }
}

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
      if (stuck) throw new UserFacingError("not-ready", `${what} did not become ready: ${stuck}`);
    }
    if (Date.now() + options.pollMs > options.deadline) throw timedOut(deployment, options);
    await pause(sleep, options, what);
  }
}

async function pause(sleep: (ms: number) => Promise<void>, options: WaitReadyOptions, what: string) {
  await sleep(options.pollMs);
  if (options.signal?.aborted) throw interrupted(what);
}

function replicas(deployment: KubeObject): number {
  return Number(deployment.spec?.replicas ?? 1);
}

export function isReady(deployment: KubeObject): boolean {
  const status = deployment.status ?? {};
  const observed = Number(status.observedGeneration ?? 0);
  const generation = Number(deployment.metadata.generation ?? 0);
  const want = replicas(deployment);
  return (
    observed >= generation &&
    Number(status.readyReplicas ?? 0) >= want &&
    Number(status.updatedReplicas ?? 0) >= want &&
    Number(status.replicas ?? 0) <= want
  );
}

function progressDeadline(deployment: KubeObject): string | undefined {
  const conditions = (deployment.status?.conditions as Record<string, string>[] | undefined) ?? [];
  const progressing = conditions.find((condition) => condition.type === "Progressing");
  if (progressing?.status === "False")
    return progressing.message ?? progressing.reason ?? "its rollout stopped progressing";
  return undefined;
}

async function stuckPod(kube: Kube, namespace: string, deployment: KubeObject): Promise<string | undefined> {
  const labels =
    (deployment.spec?.selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels ?? {};
  const selector = Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
  const { items } = await kube.list<KubeObject>("v1", "Pod", namespace, selector);
  for (const pod of items) {
    const statuses =
      (pod.status?.containerStatuses as
        | { name: string; image?: string; state?: { waiting?: { reason?: string; message?: string } } }[]
        | undefined) ?? [];
    for (const status of statuses) {
      const waiting = status.state?.waiting;
      if (waiting?.reason && STUCK.includes(waiting.reason)) {
        return `container ${status.name} of pod ${pod.metadata.name} is waiting with ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ""}.`;
      }
    }
  }
  return undefined;
}
