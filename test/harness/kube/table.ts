// Server-side printing (meta.k8s.io/v1 Table), which `kubectl get` asks for; columns as kube prints them.

import type { Target } from "./api.ts";
import type { KubeObject } from "./store.ts";

interface Column {
  name: string;
  type: string;
  format?: string;
  cell: (o: KubeObject) => unknown;
}

const age = (o: KubeObject): string => {
  const created = Date.parse(o.metadata.creationTimestamp ?? "");
  const s = Math.max(0, Math.floor((Date.now() - created) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  return `${Math.floor(s / 3600)}h`;
};

const get = (o: unknown, path: string): unknown =>
  path
    .split(".")
    .filter(Boolean)
    .reduce<unknown>(
      (n, k) => (n && typeof n === "object" ? (n as Record<string, unknown>)[k] : undefined),
      o,
    );
const num = (v: unknown) => (typeof v === "number" ? v : 0);

const NAME: Column = { name: "Name", type: "string", format: "name", cell: (o) => o.metadata.name };
const AGE: Column = { name: "Age", type: "string", cell: age };

const BUILT_IN: Record<string, Column[]> = {
  pods: [
    NAME,
    {
      name: "Ready",
      type: "string",
      cell: (o) => {
        const statuses = (get(o, "status.containerStatuses") as Array<{ ready?: boolean }> | undefined) ?? [];
        const containers = (get(o, "spec.containers") as unknown[] | undefined) ?? [];
        return `${statuses.filter((c) => c.ready).length}/${containers.length}`;
      },
    },
    {
      name: "Status",
      type: "string",
      cell: (o) => {
        const waiting = (
          get(o, "status.containerStatuses") as
            | Array<{ state?: { waiting?: { reason?: string } } }>
            | undefined
        )?.find((c) => c.state?.waiting?.reason);
        return waiting?.state?.waiting?.reason ?? get(o, "status.phase") ?? "Pending";
      },
    },
    { name: "Restarts", type: "integer", cell: () => 0 },
    AGE,
  ],
  deployments: [
    NAME,
    {
      name: "Ready",
      type: "string",
      cell: (o) => `${num(get(o, "status.readyReplicas"))}/${num(get(o, "spec.replicas"))}`,
    },
    { name: "Up-to-date", type: "integer", cell: (o) => num(get(o, "status.updatedReplicas")) },
    { name: "Available", type: "integer", cell: (o) => num(get(o, "status.availableReplicas")) },
    AGE,
  ],
  replicasets: [
    NAME,
    { name: "Desired", type: "integer", cell: (o) => num(get(o, "spec.replicas")) },
    { name: "Current", type: "integer", cell: (o) => num(get(o, "status.replicas")) },
    { name: "Ready", type: "integer", cell: (o) => num(get(o, "status.readyReplicas")) },
    AGE,
  ],
  services: [
    NAME,
    { name: "Type", type: "string", cell: (o) => get(o, "spec.type") },
    { name: "Cluster-IP", type: "string", cell: (o) => get(o, "spec.clusterIP") ?? "<none>" },
    { name: "External-IP", type: "string", cell: () => "<none>" },
    {
      name: "Port(s)",
      type: "string",
      cell: (o) =>
        ((get(o, "spec.ports") as Array<{ port: number; protocol?: string }> | undefined) ?? [])
          .map((p) => `${p.port}/${p.protocol ?? "TCP"}`)
          .join(","),
    },
    AGE,
  ],
  namespaces: [NAME, { name: "Status", type: "string", cell: (o) => get(o, "status.phase") }, AGE],
};

function columnsFor(
  t: Target,
  printerColumns: Array<{ name: string; type: string; jsonPath: string }> | undefined,
): Column[] {
  const builtIn = BUILT_IN[t.type.resource];
  if (builtIn) return builtIn;
  if (!printerColumns) return [NAME, AGE];
  return [
    NAME,
    ...printerColumns.map((c): Column => {
      if (c.name === "Age") return AGE;
      return {
        name: c.name,
        type: c.type,
        cell: (o) => {
          const v = get(o, c.jsonPath);
          return Array.isArray(v) ? `[${v.map((x) => JSON.stringify(x)).join(",")}]` : v;
        },
      };
    }),
  ];
}

export function asTable(
  t: Target,
  objects: KubeObject[],
  resourceVersion: string,
  includeObject: string,
  printerColumns?: Array<{ name: string; type: string; jsonPath: string }>,
): object {
  const columns = columnsFor(t, printerColumns);
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: { resourceVersion },
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? "",
      description: "",
      priority: 0,
    })),
    rows: objects.map((o) => ({
      cells: columns.map((c) => c.cell(o) ?? ""),
      object:
        includeObject === "None"
          ? undefined
          : includeObject === "Object"
            ? o
            : { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata },
    })),
  };
}
