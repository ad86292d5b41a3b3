// How Istio names a workload in telemetry, from its pod labels (istio/proxy metadata_object and the injector).
import type { Labels } from "./types.ts";

export interface WorkloadIdentity {
  workload: string;
  namespace: string;
  app: string;
  version: string;
  canonicalService: string;
  canonicalRevision: string;
  principal: string;
}

export function istioApp(labels: Labels): string {
  return labels["app.kubernetes.io/name"] ?? labels.app ?? "unknown";
}

export function istioVersion(labels: Labels): string {
  return labels["app.kubernetes.io/version"] ?? labels.version ?? "unknown";
}

export function canonicalService(labels: Labels, workload: string): string {
  return (
    labels["service.istio.io/canonical-name"] ?? labels["app.kubernetes.io/name"] ?? labels.app ?? workload
  );
}

export function canonicalRevision(labels: Labels): string {
  return (
    labels["service.istio.io/canonical-revision"] ??
    labels["app.kubernetes.io/version"] ??
    labels.version ??
    "latest"
  );
}

export function spiffeId(namespace: string, serviceAccount: string): string {
  return `spiffe://cluster.local/ns/${namespace}/sa/${serviceAccount}`;
}

export function identityOf(workload: {
  workload: string;
  namespace: string;
  labels: Labels;
  serviceAccount: string;
}): WorkloadIdentity {
  return {
    workload: workload.workload,
    namespace: workload.namespace,
    app: istioApp(workload.labels),
    version: istioVersion(workload.labels),
    canonicalService: canonicalService(workload.labels, workload.workload),
    canonicalRevision: canonicalRevision(workload.labels),
    principal: spiffeId(workload.namespace, workload.serviceAccount),
  };
}

/** A pod owned by ReplicaSet `reviews-v2-5b64f47978` belongs to Deployment `reviews-v2`. */
export function workloadFromOwner(
  podName: string,
  owner: { kind?: string; name?: string } | undefined,
  podTemplateHash?: string,
): string {
  if (owner?.kind === "ReplicaSet" && owner.name) {
    if (podTemplateHash && owner.name.endsWith(`-${podTemplateHash}`)) {
      return owner.name.slice(0, -(podTemplateHash.length + 1));
    }
    return owner.name.replace(/-[a-z0-9]{5,10}$/, "");
  }
  if (owner?.name) return owner.name;
  return podName.replace(/-[a-z0-9]{5,10}-[a-z0-9]{5}$/, "");
}
