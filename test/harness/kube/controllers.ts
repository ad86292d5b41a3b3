// Simulated kube-controller-manager: Deployment → ReplicaSet → Pods, pods turning Ready after a delay
// (or never, for a bad image), Deployment status and conditions, and garbage collection of dependents.

import { createHash } from "node:crypto";
import { asObject, newUid, randomSuffix } from "./objects.ts";
import { recordStatusWriter } from "./status-writer.ts";
import type { KubeObject, Store, StoreEvent } from "./store.ts";

const DEPLOY = "apps/deployments";
const RS = "apps/replicasets";
const POD = "/pods";

export interface ControllerOptions {
  podReadyDelayMs: number;
  progressDeadlineMs: number;
  badImages: Set<string>;
  /** Images whose pods stay Pending until the image is released (see KubeTestServer.holdImage). */
  heldImages: Set<string>;
  now: () => Date;
}

type Json = Record<string, unknown>;
const stamp = (d: Date) => d.toISOString().replace(/\.\d+Z$/, "Z");
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** Stable hash of a pod template, spelled with kube's safe alphabet, like pod-template-hash. */
export function templateHash(template: unknown): string {
  const digest = createHash("sha256").update(JSON.stringify(template)).digest();
  let out = "";
  for (let i = 0; i < 10; i++) out += ALPHABET[(digest[i] ?? 0) % ALPHABET.length];
  return out;
}

const ownedBy = (o: KubeObject, uid: string | undefined) =>
  o.metadata.ownerReferences?.some((r) => r.uid === uid) ?? false;
const controllerRef = (owner: KubeObject, kind: string, apiVersion: string) => ({
  apiVersion,
  kind,
  name: owner.metadata.name ?? "",
  uid: owner.metadata.uid ?? "",
  controller: true,
  blockOwnerDeletion: true,
});
const replicasOf = (o: KubeObject) => Number(asObject(o.spec).replicas ?? 1);
const statusNum = (o: KubeObject, k: string) => Number(asObject(o.status)[k] ?? 0);
const isReady = (pod: KubeObject) =>
  ((asObject(pod.status).conditions as Array<{ type: string; status: string }> | undefined) ?? []).some(
    (c) => c.type === "Ready" && c.status === "True",
  );

export class Controllers {
  private readonly store: Store;
  private readonly opts: ControllerOptions;
  private readonly queue = new Map<string, () => void>();
  private scheduled = false;
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** When each deployment's current rollout started, for the progress deadline. */
  private readonly rolloutStart = new Map<string, { hash: string; replicas: number; at: number }>();
  private readonly unsubscribe: () => void;
  private podIp = 10;

  constructor(store: Store, opts: ControllerOptions) {
    this.store = store;
    this.opts = opts;
    this.unsubscribe = store.subscribe((e) => this.onEvent(e));
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    for (const t of this.timers) clearTimeout(t);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(t);
  }

  private enqueue(key: string, fn: () => void): void {
    this.queue.set(key, fn);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const work = [...this.queue.values()];
      this.queue.clear();
      if (!this.stopped) for (const fn of work) fn();
    });
  }

  private onEvent(e: StoreEvent): void {
    const { namespace, name, uid } = e.object.metadata;
    const ns = namespace ?? "";
    if (e.type === "DELETED") {
      this.collectGarbage(uid ?? "");
    }
    if (e.gr === DEPLOY) this.enqueue(`d/${ns}/${name}`, () => this.syncDeployment(ns, name ?? ""));
    if (e.gr === RS) {
      this.enqueue(`rs/${ns}/${name}`, () => this.syncReplicaSet(ns, name ?? ""));
      this.enqueueOwner(e.object, "Deployment");
    }
    if (e.gr === POD) {
      if (e.type === "ADDED") this.startPod(e.object);
      this.enqueueOwner(e.object, "ReplicaSet");
    }
  }

  private enqueueOwner(o: KubeObject, kind: string): void {
    const ref = o.metadata.ownerReferences?.find((r) => r.kind === kind && r.controller);
    if (!ref) return;
    const ns = o.metadata.namespace ?? "";
    if (kind === "Deployment") this.enqueue(`d/${ns}/${ref.name}`, () => this.syncDeployment(ns, ref.name));
    else this.enqueue(`rs/${ns}/${ref.name}`, () => this.syncReplicaSet(ns, ref.name));
  }

  private collectGarbage(uid: string): void {
    for (const gr of [RS, POD]) {
      for (const o of this.store.list(gr)) {
        if (ownedBy(o, uid)) this.store.remove(gr, o.metadata.namespace, o.metadata.name ?? "");
      }
    }
  }

  private create(gr: string, o: KubeObject): void {
    o.metadata.uid = newUid();
    o.metadata.creationTimestamp = stamp(this.opts.now());
    this.store.put(gr, o, "ADDED");
  }

  private update(gr: string, o: KubeObject): void {
    recordStatusWriter(gr, o, stamp(this.opts.now()));
    this.store.put(gr, o, "MODIFIED");
  }

  private syncDeployment(ns: string, name: string): void {
    const d = this.store.get(DEPLOY, ns, name);
    if (!d) return;
    const spec = asObject(d.spec);
    const template = asObject(spec.template);
    const hash = templateHash(template);
    const desired = replicasOf(d);
    const owned = this.store.list(RS, ns).filter((rs) => ownedBy(rs, d.metadata.uid));
    let created = false;
    let current = owned.find((rs) => rs.metadata.labels?.["pod-template-hash"] === hash);
    if (!current && !spec.paused) {
      const revisions = owned.map((rs) =>
        Number(rs.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? 0),
      );
      const labels = { ...asObject(asObject(template.metadata).labels), "pod-template-hash": hash } as Record<
        string,
        string
      >;
      const selector = asObject(spec.selector);
      current = {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        metadata: {
          name: `${name}-${hash}`,
          namespace: ns,
          labels,
          annotations: { "deployment.kubernetes.io/revision": String(Math.max(0, ...revisions) + 1) },
          ownerReferences: [controllerRef(d, "Deployment", "apps/v1")],
          generation: 1,
        },
        spec: {
          replicas: desired,
          selector: {
            ...selector,
            matchLabels: { ...asObject(selector.matchLabels), "pod-template-hash": hash },
          },
          template: { ...template, metadata: { ...asObject(template.metadata), labels } },
        },
      };
      this.create(RS, current);
      created = true;
    }
    if (!current) return;
    const newReady = statusNum(current, "readyReplicas");
    if (replicasOf(current) !== desired) this.scaleReplicaSet(current, desired);
    // A rolling update: old ReplicaSets give way as the new one's pods become ready.
    for (const old of owned) {
      if (old === current) continue;
      const keep = Math.max(0, Math.min(replicasOf(old), desired - newReady));
      if (replicasOf(old) !== keep) this.scaleReplicaSet(old, keep);
    }
    this.updateDeploymentStatus(d, current, owned, created, hash, desired);
  }

  private scaleReplicaSet(rs: KubeObject, replicas: number): void {
    const copy = structuredClone(rs);
    copy.spec = { ...asObject(copy.spec), replicas };
    copy.metadata.generation = (copy.metadata.generation ?? 1) + 1;
    this.update(RS, copy);
  }

  private updateDeploymentStatus(
    d: KubeObject,
    current: KubeObject,
    owned: KubeObject[],
    created: boolean,
    hash: string,
    desired: number,
  ): void {
    const key = `${d.metadata.namespace}/${d.metadata.name}`;
    const all = owned.includes(current) ? owned : [...owned, current];
    const sum = (k: string) => all.reduce((n, rs) => n + statusNum(rs, k), 0);
    const oldReplicas = all
      .filter((rs) => rs !== current)
      .reduce((n, rs) => n + statusNum(rs, "replicas"), 0);
    const updated = statusNum(current, "replicas");
    const ready = sum("readyReplicas");
    const available = sum("availableReplicas");
    const total = sum("replicas");
    const rsName = current.metadata.name ?? "";
    const now = this.opts.now().getTime();
    let start = this.rolloutStart.get(key);
    if (!start || start.hash !== hash || start.replicas !== desired) {
      start = { hash, replicas: desired, at: now };
      this.rolloutStart.set(key, start);
      this.later(this.opts.progressDeadlineMs + 5, () =>
        this.enqueue(`d/${key}`, () =>
          this.syncDeployment(d.metadata.namespace ?? "", d.metadata.name ?? ""),
        ),
      );
    }
    const complete =
      statusNum(current, "availableReplicas") >= desired && updated === desired && oldReplicas === 0;
    const maxUnavailable = Math.floor(desired * 0.25);
    const old = asObject(d.status);
    const oldConditions = (old.conditions as Json[] | undefined) ?? [];
    const condition = (type: string, status: string, reason: string, message: string): Json => {
      const prev = oldConditions.find((c) => c.type === type);
      const t = stamp(this.opts.now());
      const changed = !prev || prev.status !== status;
      return {
        type,
        status,
        lastUpdateTime: prev && prev.reason === reason ? prev.lastUpdateTime : t,
        lastTransitionTime: changed ? t : prev.lastTransitionTime,
        reason,
        message,
      };
    };
    const progressing = complete
      ? condition(
          "Progressing",
          "True",
          "NewReplicaSetAvailable",
          `ReplicaSet "${rsName}" has successfully progressed.`,
        )
      : now - start.at >= this.opts.progressDeadlineMs
        ? condition(
            "Progressing",
            "False",
            "ProgressDeadlineExceeded",
            `ReplicaSet "${rsName}" has timed out progressing.`,
          )
        : created
          ? condition("Progressing", "True", "NewReplicaSetCreated", `Created new replica set "${rsName}"`)
          : condition("Progressing", "True", "ReplicaSetUpdated", `ReplicaSet "${rsName}" is progressing.`);
    const availableCondition =
      available >= desired - maxUnavailable
        ? condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.")
        : condition(
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
          );
    const status: Json = {
      observedGeneration: d.metadata.generation ?? 1,
      replicas: total,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: available,
      ...(total - available > 0 ? { unavailableReplicas: total - available } : {}),
      conditions: [availableCondition, progressing],
    };
    for (const k of ["readyReplicas", "availableReplicas", "updatedReplicas", "replicas"])
      if (status[k] === 0) delete status[k];
    const comparable = (s: Json) =>
      JSON.stringify({
        ...s,
        conditions: ((s.conditions as Json[]) ?? []).map((c) => [c.type, c.status, c.reason]),
      });
    if (comparable(status) === comparable(old)) return;
    const copy = structuredClone(d);
    copy.status = status;
    this.update(DEPLOY, copy);
  }

  private syncReplicaSet(ns: string, name: string): void {
    const rs = this.store.get(RS, ns, name);
    if (!rs) return;
    const pods = this.store.list(POD, ns).filter((p) => ownedBy(p, rs.metadata.uid));
    const desired = replicasOf(rs);
    const template = asObject(asObject(rs.spec).template);
    for (let i = pods.length; i < desired; i++) {
      this.create(POD, {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
          ...structuredClone(asObject(template.metadata)),
          name: `${name}-${randomSuffix()}`,
          generateName: `${name}-`,
          namespace: ns,
          ownerReferences: [controllerRef(rs, "ReplicaSet", "apps/v1")],
        },
        spec: structuredClone(asObject(template.spec)),
        status: { phase: "Pending", conditions: [{ type: "PodScheduled", status: "True" }] },
      });
    }
    if (pods.length > desired) {
      // Not-ready pods go first, then the newest, as the ReplicaSet controller ranks them.
      const ranked = [...pods].sort(
        (a, b) =>
          Number(isReady(a)) - Number(isReady(b)) ||
          (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? ""),
      );
      for (const p of ranked.slice(0, pods.length - desired))
        this.store.remove(POD, ns, p.metadata.name ?? "");
    }
    const live = this.store.list(POD, ns).filter((p) => ownedBy(p, rs.metadata.uid));
    const ready = live.filter(isReady).length;
    const status: Json = {
      replicas: live.length,
      fullyLabeledReplicas: live.length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: rs.metadata.generation ?? 1,
    };
    for (const k of ["readyReplicas", "availableReplicas", "fullyLabeledReplicas"])
      if (status[k] === 0) delete status[k];
    if (same(status, rs.status)) return;
    const copy = structuredClone(rs);
    copy.status = status;
    this.update(RS, copy);
  }

  private startPod(pod: KubeObject): void {
    const ns = pod.metadata.namespace ?? "";
    const name = pod.metadata.name ?? "";
    const start = () => {
      const current = this.store.get(POD, ns, name);
      if (!current || current.metadata.uid !== pod.metadata.uid) return;
      const containers =
        (asObject(current.spec).containers as Array<{ name: string; image: string }> | undefined) ?? [];
      // An image held back is still being pulled: the pod stays Pending, with no waiting reason, until released.
      if (containers.some((c) => this.opts.heldImages.has(c.image))) return this.later(10, start);
      const bad = containers.some((c) => this.opts.badImages.has(c.image));
      const t = stamp(this.opts.now());
      this.podIp += 1;
      const copy = structuredClone(current);
      copy.spec = { ...asObject(copy.spec), nodeName: "graydesk-test-node" };
      copy.status = {
        phase: bad ? "Pending" : "Running",
        podIP: `10.244.${Math.floor(this.podIp / 250) % 250}.${(this.podIp % 250) + 1}`,
        hostIP: "172.18.0.2",
        startTime: t,
        conditions: [
          { type: "Initialized", status: "True", lastTransitionTime: t },
          {
            type: "Ready",
            status: bad ? "False" : "True",
            lastTransitionTime: t,
            ...(bad ? { reason: "ContainersNotReady" } : {}),
          },
          { type: "ContainersReady", status: bad ? "False" : "True", lastTransitionTime: t },
          { type: "PodScheduled", status: "True", lastTransitionTime: t },
        ],
        containerStatuses: containers.map((c) => {
          const badOne = this.opts.badImages.has(c.image);
          return {
            name: c.name,
            image: c.image,
            imageID: badOne
              ? ""
              : `docker.io/${c.image}@sha256:${createHash("sha256").update(c.image).digest("hex")}`,
            ready: !badOne,
            started: !badOne,
            restartCount: 0,
            state: badOne
              ? { waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${c.image}"` } }
              : { running: { startedAt: t } },
          };
        }),
      };
      this.update(POD, copy);
    };
    this.later(this.opts.podReadyDelayMs, start);
  }
}
