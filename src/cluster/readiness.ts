import { escapeText, UserFacingError } from "../release/index.ts";
import type { Kube, KubeObject } from "./kube.ts";

/** What a readiness wait knows about itself: its end, and the Deployment's name in people's words. */
export interface WaitFacts {
  timeoutMs: number;
  deadline: number;
  what: string;
}

// Waiting reasons that do not clear up by waiting longer.
const STUCK = [
  "ImagePullBackOff",
  "ErrImagePull",
  "InvalidImageName",
  "CrashLoopBackOff",
  "CreateContainerConfigError",
];

/** The Deployment when it is ready; throws when it is gone or stalled; undefined while it is coming up. */
export function settled(deployment: KubeObject | undefined, what: string): KubeObject | undefined {
  if (!deployment) throw new UserFacingError("not-found", `${what} is gone, so it cannot become ready.`);
  if (isReady(deployment)) return deployment;
  const stalled = progressDeadline(deployment);
  if (stalled) throw notReady(what, stalled);
  return undefined;
}

export function timedOut(deployment: KubeObject | undefined, options: WaitFacts): UserFacingError {
  const after = `after ${Math.round(options.timeoutMs / 1000)} s; no traffic was moved to it. Retry when its pods are ready.`;
  // Nothing seen of it yet (the time ran out before the watch's first event): no counts to give.
  const state = deployment
    ? `has ${Number(deployment.status?.readyReplicas ?? 0)} of ${replicas(deployment)} pods ready`
    : "is not ready";
  return new UserFacingError("not-ready", `${options.what} ${state} ${after}`, { retryable: true });
}

export function interrupted(what: string): UserFacingError {
  return new UserFacingError("interrupted", `Stopped waiting for ${what}: Graydesk is shutting down.`, {
    retryable: true,
  });
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
    return escapeText(progressing.message ?? progressing.reason ?? "its rollout stopped progressing");
  return undefined;
}

export async function stuckPod(
  kube: Kube,
  namespace: string,
  deployment: KubeObject,
): Promise<string | undefined> {
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
        // The kubelet's words (an image pull's error carries the registry's) are data: escaped for mrkdwn.
        const why = waiting.message ? ` (${waiting.message})` : "";
        return escapeText(
          `container ${status.name} of pod ${pod.metadata.name} is waiting with ${waiting.reason}${why}.`,
        );
      }
    }
  }
  return undefined;
}

export function notReady(what: string, stuck: string): UserFacingError {
  return new UserFacingError("not-ready", `${what} did not become ready: ${stuck}`);
}
