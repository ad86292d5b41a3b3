// Namespace lifecycle as kube-controller-manager runs it: a new namespace gets the `kube-root-ca.crt`
// ConfigMap and the `default` ServiceAccount; a deleted one stays Terminating (refusing new content) until its
// contents are gone, then disappears.

import { newUid } from "./objects.ts";
import type { KubeObject, Store, StoreEvent } from "./store.ts";

const NAMESPACES = "/namespaces";

export class NamespaceController {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly unsubscribe: () => void;

  private readonly store: Store;
  private readonly ca: string;
  private readonly now: () => string;

  constructor(store: Store, ca: string, now: () => string) {
    this.store = store;
    this.ca = ca;
    this.now = now;
    this.unsubscribe = store.subscribe((e) => this.onEvent(e));
    for (const ns of store.list(NAMESPACES)) this.later(() => this.populate(ns.metadata.name ?? ""));
  }

  stop(): void {
    this.unsubscribe();
    for (const t of this.timers) clearTimeout(t);
  }

  private later(fn: () => void, ms = 5): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private onEvent(e: StoreEvent): void {
    if (e.gr !== NAMESPACES) return;
    const name = e.object.metadata.name ?? "";
    if (e.type === "ADDED") this.later(() => this.populate(name));
    if (e.type === "MODIFIED" && e.object.metadata.deletionTimestamp && !e.old?.metadata.deletionTimestamp)
      // The real controller first discovers every resource type; a namespace stays Terminating that long.
      this.later(() => this.finalize(name), 1_000);
  }

  private populate(ns: string): void {
    const current = this.store.get(NAMESPACES, undefined, ns);
    if (!current || current.metadata.deletionTimestamp) return;
    const meta = (name: string) => ({
      name,
      namespace: ns,
      uid: newUid(),
      creationTimestamp: this.now(),
    });
    if (!this.store.get("/configmaps", ns, "kube-root-ca.crt")) {
      const cm: KubeObject = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { ...meta("kube-root-ca.crt"), annotations: { "kubernetes.io/description": DESCRIPTION } },
        data: { "ca.crt": this.ca },
      };
      this.store.put("/configmaps", cm, "ADDED");
    }
    if (!this.store.get("/serviceaccounts", ns, "default")) {
      this.store.put(
        "/serviceaccounts",
        { apiVersion: "v1", kind: "ServiceAccount", metadata: meta("default") },
        "ADDED",
      );
    }
  }

  /** Removes everything in the namespace, then the namespace itself. */
  private finalize(ns: string): void {
    for (const gr of this.store.resources()) {
      if (gr === NAMESPACES) continue;
      for (const o of this.store.list(gr, ns)) this.store.remove(gr, ns, o.metadata.name ?? "");
    }
    this.store.remove(NAMESPACES, undefined, ns);
  }
}

const DESCRIPTION =
  "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";
