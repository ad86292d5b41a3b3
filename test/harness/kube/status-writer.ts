// The controller manager writes workload status through the `status` subresource, and managedFields say so:
// an entry for `kube-controller-manager` with `subresource: status` owning the status fields it set.

import type { KubeObject } from "./store.ts";

const WRITERS: Record<string, string> = { "apps/deployments": "apps/v1", "apps/replicasets": "apps/v1" };

export function recordStatusWriter(gr: string, o: KubeObject, now: string): void {
  const apiVersion = WRITERS[gr];
  const status = o.status;
  if (!apiVersion || typeof status !== "object" || status === null) return;
  const owned = Object.fromEntries(Object.keys(status).map((k) => [`f:${k}`, {}]));
  const others = (o.metadata.managedFields ?? []).filter(
    (m) => !(m.manager === "kube-controller-manager" && m.subresource === "status"),
  );
  o.metadata.managedFields = [
    ...others,
    {
      manager: "kube-controller-manager",
      operation: "Update",
      apiVersion,
      time: now,
      fieldsType: "FieldsV1",
      fieldsV1: { "f:status": owned },
      subresource: "status",
    },
  ];
}
