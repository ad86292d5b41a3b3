// The resource kinds this server serves, and the discovery documents built from them.

export type Mesh = "istio" | "kubesphere" | "gateway-api" | "argo-rollouts";

export interface ResourceType {
  group: string; // "" for the core group
  versions: string[]; // served versions; the first is the preferred (storage) one
  resource: string; // plural, as in URLs
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  subresources?: Array<"status" | "scale">;
  /** Custom resources: validated against their CRD schema, and not strategic-merge-patchable. */
  custom?: boolean;
}

const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

const core = (resource: string, kind: string, extra: Partial<ResourceType> = {}): ResourceType => ({
  group: "",
  versions: ["v1"],
  resource,
  singular: kind.toLowerCase(),
  kind,
  namespaced: true,
  ...extra,
});

const builtIn = (
  group: string,
  resource: string,
  kind: string,
  extra: Partial<ResourceType> = {},
): ResourceType => ({
  group,
  versions: ["v1"],
  resource,
  singular: kind.toLowerCase(),
  kind,
  namespaced: true,
  ...extra,
});

/** Types served so that discovery lists what a real cluster lists; stored like any object, no controller. */
const OTHER_BUILT_IN: ResourceType[] = [
  core("endpoints", "Endpoints", { shortNames: ["ep"] }),
  core("limitranges", "LimitRange", { shortNames: ["limits"] }),
  core("nodes", "Node", { namespaced: false, shortNames: ["no"], subresources: ["status"] }),
  core("persistentvolumeclaims", "PersistentVolumeClaim", { shortNames: ["pvc"], subresources: ["status"] }),
  core("persistentvolumes", "PersistentVolume", {
    namespaced: false,
    shortNames: ["pv"],
    subresources: ["status"],
  }),
  core("podtemplates", "PodTemplate"),
  core("replicationcontrollers", "ReplicationController", {
    shortNames: ["rc"],
    subresources: ["status", "scale"],
  }),
  core("resourcequotas", "ResourceQuota", { shortNames: ["quota"], subresources: ["status"] }),
  builtIn("apps", "controllerrevisions", "ControllerRevision"),
  builtIn("apps", "daemonsets", "DaemonSet", {
    shortNames: ["ds"],
    categories: ["all"],
    subresources: ["status"],
  }),
  builtIn("apps", "statefulsets", "StatefulSet", {
    shortNames: ["sts"],
    categories: ["all"],
    subresources: ["status", "scale"],
  }),
  builtIn("batch", "jobs", "Job", { categories: ["all"], subresources: ["status"] }),
  builtIn("batch", "cronjobs", "CronJob", {
    shortNames: ["cj"],
    categories: ["all"],
    subresources: ["status"],
  }),
  builtIn("networking.k8s.io", "ingresses", "Ingress", { shortNames: ["ing"], subresources: ["status"] }),
  builtIn("networking.k8s.io", "networkpolicies", "NetworkPolicy", { shortNames: ["netpol"] }),
  builtIn("networking.k8s.io", "ingressclasses", "IngressClass", { namespaced: false }),
  builtIn("policy", "poddisruptionbudgets", "PodDisruptionBudget", {
    shortNames: ["pdb"],
    subresources: ["status"],
  }),
  builtIn("rbac.authorization.k8s.io", "roles", "Role"),
  builtIn("rbac.authorization.k8s.io", "rolebindings", "RoleBinding"),
  builtIn("rbac.authorization.k8s.io", "clusterroles", "ClusterRole", { namespaced: false }),
  builtIn("rbac.authorization.k8s.io", "clusterrolebindings", "ClusterRoleBinding", { namespaced: false }),
  builtIn("discovery.k8s.io", "endpointslices", "EndpointSlice"),
  builtIn("storage.k8s.io", "storageclasses", "StorageClass", { namespaced: false, shortNames: ["sc"] }),
  builtIn("scheduling.k8s.io", "priorityclasses", "PriorityClass", { namespaced: false, shortNames: ["pc"] }),
  builtIn("autoscaling", "horizontalpodautoscalers", "HorizontalPodAutoscaler", {
    versions: ["v2", "v1"],
    shortNames: ["hpa"],
    categories: ["all"],
    subresources: ["status"],
  }),
  builtIn("authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview", {
    namespaced: false,
  }),
  builtIn("authorization.k8s.io", "selfsubjectrulesreviews", "SelfSubjectRulesReview", { namespaced: false }),
];

export const BUILT_IN: ResourceType[] = [
  core("namespaces", "Namespace", { namespaced: false, shortNames: ["ns"], subresources: ["status"] }),
  core("services", "Service", { shortNames: ["svc"], categories: ["all"], subresources: ["status"] }),
  core("pods", "Pod", { shortNames: ["po"], categories: ["all"], subresources: ["status"] }),
  core("configmaps", "ConfigMap", { shortNames: ["cm"] }),
  core("secrets", "Secret"),
  core("serviceaccounts", "ServiceAccount", { shortNames: ["sa"] }),
  core("events", "Event", { shortNames: ["ev"] }),
  {
    group: "apps",
    versions: ["v1"],
    resource: "deployments",
    singular: "deployment",
    kind: "Deployment",
    namespaced: true,
    shortNames: ["deploy"],
    categories: ["all"],
    subresources: ["status", "scale"],
  },
  {
    group: "apps",
    versions: ["v1"],
    resource: "replicasets",
    singular: "replicaset",
    kind: "ReplicaSet",
    namespaced: true,
    shortNames: ["rs"],
    categories: ["all"],
    subresources: ["status", "scale"],
  },
  {
    group: "coordination.k8s.io",
    versions: ["v1"],
    resource: "leases",
    singular: "lease",
    kind: "Lease",
    namespaced: true,
  },
  {
    group: "apiextensions.k8s.io",
    versions: ["v1"],
    resource: "customresourcedefinitions",
    singular: "customresourcedefinition",
    kind: "CustomResourceDefinition",
    namespaced: false,
    shortNames: ["crd", "crds"],
    categories: ["api-extensions"],
    subresources: ["status"],
  },
  ...OTHER_BUILT_IN,
];

/** Index of resource types by group/version/resource, with lookups kubectl-style discovery needs. */
export class Registry {
  readonly types: ResourceType[];
  private readonly byGvr = new Map<string, ResourceType>();
  private readonly byGr = new Map<string, ResourceType>();

  constructor(types: ResourceType[]) {
    this.types = types;
    for (const t of types) {
      this.byGr.set(`${t.group}/${t.resource}`, t);
      for (const v of t.versions) this.byGvr.set(`${t.group}/${v}/${t.resource}`, t);
    }
  }

  find(group: string, version: string, resource: string): ResourceType | undefined {
    return this.byGvr.get(`${group}/${version}/${resource}`);
  }

  byGroupResource(group: string, resource: string): ResourceType | undefined {
    return this.byGr.get(`${group}/${resource}`);
  }

  /** Groups other than core, in registration order, each with its versions (preferred first). */
  groups(): Array<{ name: string; versions: string[] }> {
    const out = new Map<string, string[]>();
    for (const t of this.types) {
      if (!t.group) continue;
      const versions = out.get(t.group) ?? [];
      for (const v of t.versions) if (!versions.includes(v)) versions.push(v);
      out.set(t.group, versions);
    }
    return [...out].map(([name, versions]) => ({ name, versions }));
  }

  servedIn(group: string, version: string): ResourceType[] {
    return this.types.filter((t) => t.group === group && t.versions.includes(version));
  }
}

export const apiVersionOf = (group: string, version: string): string =>
  group ? `${group}/${version}` : version;

export function apiVersions(serverAddress: string) {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

export function apiGroupList(registry: Registry) {
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: registry.groups().map((g) => apiGroup(g.name, g.versions)),
  };
}

export function apiGroup(name: string, versions: string[]) {
  const gv = (v: string) => ({ groupVersion: `${name}/${v}`, version: v });
  return {
    kind: "APIGroup",
    apiVersion: "v1",
    name,
    versions: versions.map(gv),
    preferredVersion: gv(versions[0] ?? "v1"),
  };
}

export function apiResourceList(registry: Registry, group: string, version: string) {
  const resources: object[] = [];
  for (const t of registry.servedIn(group, version)) {
    resources.push({
      name: t.resource,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.resource === "events" ? VERBS : VERBS,
      ...(t.shortNames ? { shortNames: t.shortNames } : {}),
      ...(t.categories ? { categories: t.categories } : {}),
      storageVersionHash: "",
    });
    for (const sub of t.subresources ?? []) {
      resources.push({
        name: `${t.resource}/${sub}`,
        singularName: "",
        namespaced: t.namespaced,
        ...(sub === "scale" ? { group: "autoscaling", version: "v1", kind: "Scale" } : { kind: t.kind }),
        verbs: ["get", "patch", "update"],
      });
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: apiVersionOf(group, version), resources };
}
