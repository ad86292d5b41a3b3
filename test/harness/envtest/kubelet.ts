// Plays the kubelet for a control plane that has none: every Pod whose images are all good becomes
// Running and Ready through the `status` subresource, as a node would report it. Pods with a bad image
// stay Pending with the container waiting in ImagePullBackOff, so their Deployment never becomes available.

import {
  CoreV1Api,
  type KubeConfig,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
} from "@kubernetes/client-node";

export interface KubeletStandIn {
  markImageBad(image: string): void;
  /** Pods of `image` are not reported (Pending, being pulled) until `release` is called. */
  holdImage(image: string): { release(): void };
  stop(): void;
}

export function startKubelet(kc: KubeConfig, opts: { readyDelayMs: number }): KubeletStandIn {
  const core = kc.makeApiClient(CoreV1Api);
  const badImages = new Set<string>();
  const heldImages = new Set<string>();
  const pending = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  let nextIp = 1;
  let stopped = false;

  const statusOf = (pod: V1Pod) => {
    const now = new Date();
    const containers = pod.spec?.containers ?? [];
    const bad = containers.filter((c) => badImages.has(c.image ?? ""));
    const ready = bad.length === 0;
    const condition = (type: string, status: boolean) => ({
      type,
      status: status ? "True" : "False",
      lastTransitionTime: now,
      ...(status ? {} : { reason: "ContainersNotReady" }),
    });
    const ip = `10.244.${Math.floor(nextIp / 250)}.${(nextIp % 250) + 2}`;
    nextIp++;
    return {
      status: {
        phase: ready ? "Running" : "Pending",
        hostIP: "127.0.0.1",
        podIP: ip,
        podIPs: [{ ip }],
        startTime: now,
        conditions: [
          condition("PodScheduled", true),
          condition("Initialized", true),
          condition("ContainersReady", ready),
          condition("Ready", ready),
        ],
        containerStatuses: containers.map((c) => ({
          name: c.name,
          image: c.image ?? "",
          imageID: "",
          ready: !badImages.has(c.image ?? ""),
          started: !badImages.has(c.image ?? ""),
          restartCount: 0,
          state: badImages.has(c.image ?? "")
            ? { waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${c.image}"` } }
            : { running: { startedAt: now } },
        })),
      },
    };
  };

  const report = (pod: V1Pod) => {
    const ns = pod.metadata?.namespace ?? "";
    const name = pod.metadata?.name ?? "";
    const key = `${ns}/${name}`;
    if (stopped || pending.has(key) || pod.metadata?.deletionTimestamp) return;
    if (pod.status?.conditions?.some((c) => c.type === "PodScheduled")) return; // already reported
    pending.add(key);
    const held = () => (pod.spec?.containers ?? []).some((c) => heldImages.has(c.image ?? ""));
    const send = () => {
      if (stopped) return;
      if (held()) {
        const again = setTimeout(() => {
          timers.delete(again);
          send();
        }, 10);
        timers.add(again);
        return;
      }
      core
        .patchNamespacedPodStatus(
          { name, namespace: ns, body: statusOf(pod) },
          setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
        )
        .catch(() => undefined) // the Pod was deleted meanwhile
        .finally(() => pending.delete(key));
    };
    const timer = setTimeout(() => {
      timers.delete(timer);
      send();
    }, opts.readyDelayMs);
    timers.add(timer);
  };

  const informer = makeInformer(kc, "/api/v1/pods", () => core.listPodForAllNamespaces());
  informer.on("add", report);
  informer.on("update", report);
  informer.on("error", () => {
    if (!stopped) setTimeout(() => void informer.start().catch(() => undefined), 500);
  });
  void informer.start().catch(() => undefined);

  return {
    markImageBad(image) {
      badImages.add(image);
    },
    holdImage(image) {
      heldImages.add(image);
      return { release: () => heldImages.delete(image) };
    },
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      void informer.stop();
    },
  };
}
