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
 * passed its progress deadline; fails retryable when the time runs out.
 */
export async function waitReady(
  kube: Kube,
  namespace: string,
  name: string,
  options: WaitReadyOptions,
): Promise<KubeObject> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = Date.now() + options.timeoutMs;
  const what = `Deployment ${namespace}/${name}`;
  if (options.justCreated) await pause(sleep, options, what);
  for (let round = 0; ; round++) {
    const deployment = await kube.get<KubeObject>(deploymentRef(namespace, name));
    if (!deployment) throw new UserFacingError("not-found", `${what} is gone, so it cannot become ready.`);
    if (isReady(deployment)) return deployment;
    const stalled = progressDeadline(deployment);
    if (stalled) throw new UserFacingError("not-ready", `${what} did not become ready: ${stalled}`);
    // Pods are read every few rounds only: a Deployment that is merely slow costs one read per round.
    if (round % 3 === 1) {
      const stuck = await stuckPod(kube, namespace, deployment);
      if (stuck) throw new UserFacingError("not-ready", `${what} did not become ready: ${stuck}`);
    }
    if (Date.now() + options.pollMs > deadline) {
      const ready = Number(deployment.status?.readyReplicas ?? 0);
      throw new UserFacingError(
        "not-ready",
        `${what} has ${ready} of ${replicas(deployment)} pods ready after ${Math.round(options.timeoutMs / 1000)} s; no traffic was moved to it. Retry when its pods are ready.`,
        { retryable: true },
      );
    }
    await pause(sleep, options, what);
  }
}

async function pause(sleep: (ms: number) => Promise<void>, options: WaitReadyOptions, what: string) {
  await sleep(options.pollMs);
  if (options.signal?.aborted) {
    throw new UserFacingError("interrupted", `Stopped waiting for ${what}: Graydesk is shutting down.`, {
      retryable: true,
    });
  }
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
