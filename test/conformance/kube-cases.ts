// Kubernetes API behaviour Graydesk relies on, written against any cluster: run by the conformance
// suite (KUBECONFIG, or the test server when unset) and by the unit suite against the test server.

import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { celCases } from "./cel-cases.ts";
import { kubesphereCases } from "./kubesphere-cases.ts";
import { realServerCases } from "./real-server-cases.ts";

export interface ClusterUnderTest {
  kubeConfig: KubeConfig;
  close(): Promise<void>;
}

interface Status {
  kind?: string;
  code?: number;
  reason?: string;
  message?: string;
  details?: { causes?: Array<{ reason?: string; field?: string; message?: string }> };
}

/** The kube `Status` a failed client-node call carried. */
export async function failure(call: Promise<unknown>): Promise<Status & { httpCode: number }> {
  try {
    await call;
  } catch (e) {
    const err = e as { code?: number; body?: unknown };
    const body =
      typeof err.body === "string" ? (JSON.parse(err.body) as Status) : ((err.body ?? {}) as Status);
    return { ...body, httpCode: err.code ?? 0 };
  }
  throw new Error("expected the call to fail");
}

export async function eventually<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() - start > timeoutMs)
      throw new Error(`condition not met in ${timeoutMs} ms: ${JSON.stringify(v).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const VS = { group: "networking.istio.io", version: "v1", plural: "virtualservices" };

function virtualService(name: string, weights: [number, number]) {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: { name },
    spec: {
      hosts: [name],
      http: [
        {
          route: [
            { destination: { host: name, subset: "v1" }, weight: weights[0] },
            { destination: { host: name, subset: "v2" }, weight: weights[1] },
          ],
        },
      ],
    },
  };
}

function deployment(name: string, replicas: number, image = "docker.io/library/nginx:1.27") {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image }] } },
    },
  };
}

export function kubeConformance(start: () => Promise<ClusterUnderTest>): void {
  let cluster: ClusterUnderTest;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let custom: CustomObjectsApi;
  let objects: KubernetesObjectApi;
  const namespace = `conformance-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e4)}`;

  beforeAll(async () => {
    cluster = await start();
    core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
    custom = cluster.kubeConfig.makeApiClient(CustomObjectsApi);
    objects = KubernetesObjectApi.makeApiClient(cluster.kubeConfig);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });

  afterAll(async () => {
    await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
    await cluster?.close();
  });

  realServerCases(() => ({ kubeConfig: cluster.kubeConfig, namespace }));
  kubesphereCases(() => ({ kubeConfig: cluster.kubeConfig, namespace }));
  celCases(() => ({ kubeConfig: cluster.kubeConfig, namespace }));

  describe("discovery", () => {
    it("lists core resources and the Istio group", async () => {
      const resources = await core.getAPIResources();
      expect(resources.resources.map((r) => r.name)).toEqual(
        expect.arrayContaining(["pods", "services", "namespaces"]),
      );
      const vs = await custom.listNamespacedCustomObject({ ...VS, namespace });
      expect(vs.items).toEqual([]);
    });
  });

  describe("reads and errors", () => {
    it("answers 404 NotFound naming the resource", async () => {
      const s = await failure(apps.readNamespacedDeployment({ name: "reviews-v9", namespace }));
      expect(s.httpCode).toBe(404);
      expect(s).toMatchObject({
        kind: "Status",
        reason: "NotFound",
        code: 404,
        message: 'deployments.apps "reviews-v9" not found',
      });
    });

    it("answers 404 for the namespace when creating into a missing one", async () => {
      const s = await failure(
        core.createNamespacedConfigMap({ namespace: `${namespace}-nope`, body: { metadata: { name: "x" } } }),
      );
      expect(s).toMatchObject({
        code: 404,
        reason: "NotFound",
        message: `namespaces "${namespace}-nope" not found`,
      });
    });

    it("answers 409 AlreadyExists on a second create", async () => {
      const body = { metadata: { name: "dup" }, data: { a: "1" } };
      await core.createNamespacedConfigMap({ namespace, body });
      const s = await failure(core.createNamespacedConfigMap({ namespace, body }));
      expect(s).toMatchObject({
        code: 409,
        reason: "AlreadyExists",
        message: 'configmaps "dup" already exists',
      });
    });

    it("answers 409 Conflict on an update with a stale resourceVersion", async () => {
      const created = await custom.createNamespacedCustomObject({
        ...VS,
        namespace,
        body: virtualService("stale", [90, 10]),
      });
      const fresh = structuredClone(created);
      fresh.spec.http[0].route[0].weight = 80;
      fresh.spec.http[0].route[1].weight = 20;
      await custom.replaceNamespacedCustomObject({ ...VS, namespace, name: "stale", body: fresh });
      const s = await failure(
        custom.replaceNamespacedCustomObject({ ...VS, namespace, name: "stale", body: created }),
      );
      expect(s).toMatchObject({
        code: 409,
        reason: "Conflict",
        message:
          'Operation cannot be fulfilled on virtualservices.networking.istio.io "stale": the object has been modified; please apply your changes to the latest version and try again',
      });
    });

    it("refuses a delete whose resourceVersion precondition is stale with 409 Conflict, and keeps the object", async () => {
      const created = await custom.createNamespacedCustomObject({
        ...VS,
        namespace,
        body: virtualService("gone-if-current", [90, 10]),
      });
      const planned = created.metadata.resourceVersion as string;
      const changed = await custom.patchNamespacedCustomObject(
        { ...VS, namespace, name: "gone-if-current", body: { metadata: { labels: { moved: "on" } } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
      const ref = {
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: { name: "gone-if-current", namespace },
      };
      const s = await failure(
        objects.delete(ref, undefined, undefined, undefined, undefined, "Background", {
          preconditions: { resourceVersion: planned },
        }),
      );
      expect(s).toMatchObject({
        code: 409,
        reason: "Conflict",
        message: `Operation cannot be fulfilled on VirtualService.networking.istio.io "gone-if-current": the ResourceVersion in the precondition (${planned}) does not match the ResourceVersion in record (${changed.metadata.resourceVersion}). The object might have been modified`,
      });
      const map = await core.createNamespacedConfigMap({
        namespace,
        body: { metadata: { name: "kept-map" } },
      });
      const mapRef = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "kept-map", namespace } };
      const m = await failure(
        objects.delete(mapRef, undefined, undefined, undefined, undefined, "Background", {
          preconditions: { resourceVersion: `${map.metadata?.resourceVersion}0` },
        }),
      );
      expect(m).toMatchObject({
        code: 409,
        reason: "Conflict",
        message: `Operation cannot be fulfilled on ConfigMap "kept-map": the ResourceVersion in the precondition (${map.metadata?.resourceVersion}0) does not match the ResourceVersion in record (${map.metadata?.resourceVersion}). The object might have been modified`,
      });
      expect((await objects.read(ref)).metadata?.resourceVersion).toBe(changed.metadata.resourceVersion);
      await objects.delete(ref, undefined, undefined, undefined, undefined, "Background", {
        preconditions: { resourceVersion: changed.metadata.resourceVersion },
      });
      expect(await failure(objects.read(ref))).toMatchObject({ code: 404 });
    });

    it("selects by label and by field", async () => {
      for (const [name, tier] of [
        ["sel-a", "web"],
        ["sel-b", "db"],
        ["sel-c", "web"],
      ]) {
        await core.createNamespacedConfigMap({
          namespace,
          body: { metadata: { name, labels: { tier: tier ?? "" } } },
        });
      }
      const names = async (q: { labelSelector?: string; fieldSelector?: string }) =>
        (await core.listNamespacedConfigMap({ namespace, ...q })).items.map((c) => c.metadata?.name);
      expect(await names({ labelSelector: "tier=web" })).toEqual(["sel-a", "sel-c"]);
      expect(await names({ labelSelector: "tier in (db)" })).toEqual(["sel-b"]);
      expect(await names({ labelSelector: "tier,tier!=web" })).toEqual(["sel-b"]);
      expect(await names({ fieldSelector: "metadata.name=sel-c" })).toEqual(["sel-c"]);
      const list = await core.listNamespacedConfigMap({ namespace, labelSelector: "tier" });
      expect(Number(list.metadata?.resourceVersion)).toBeGreaterThan(0);
    });
  });

  describe("validation", () => {
    it("rejects a custom resource against its schema with 422 and field causes", async () => {
      const bad = virtualService("bad-weight", [90, 10]) as {
        spec: { http: Array<{ route: Array<{ weight: unknown }> }> };
      };
      const route = bad.spec.http[0]?.route[0];
      if (route) route.weight = "ninety";
      const s = await failure(custom.createNamespacedCustomObject({ ...VS, namespace, body: bad }));
      expect(s).toMatchObject({ code: 422, reason: "Invalid" });
      // With CEL rules in the CRD (Istio's), a second cause says they were not run; the message is then a list.
      expect(s.message).toMatch(
        /^VirtualService\.networking\.istio\.io "bad-weight" is invalid: \[?spec\.http\[0\]\.route\[0\]\.weight: /,
      );
      expect(s.details?.causes).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: "spec.http[0].route[0].weight" })]),
      );
    });

    it("requires a destination host", async () => {
      const bad = virtualService("no-host", [100, 0]) as {
        spec: { http: Array<{ route: Array<{ destination: object }> }> };
      };
      const route = bad.spec.http[0]?.route[0];
      if (route) route.destination = { subset: "v1" };
      const s = await failure(custom.createNamespacedCustomObject({ ...VS, namespace, body: bad }));
      expect(s.details?.causes).toContainEqual(
        expect.objectContaining({
          reason: "FieldValueRequired",
          field: "spec.http[0].route[0].destination.host",
        }),
      );
    });

    it("prunes fields the schema does not know", async () => {
      const body = {
        ...virtualService("pruned", [50, 50]),
        spec: { ...virtualService("pruned", [50, 50]).spec, unknownThing: true },
      };
      const created = await custom.createNamespacedCustomObject({ ...VS, namespace, body });
      expect(created.spec.unknownThing).toBeUndefined();
      expect(created.spec.hosts).toEqual(["pruned"]);
    });

    it("rejects a Deployment whose selector does not match its template", async () => {
      const d = deployment("mismatch", 1);
      d.spec.selector.matchLabels = { app: "other" };
      const s = await failure(apps.createNamespacedDeployment({ namespace, body: d }));
      expect(s).toMatchObject({ code: 422, reason: "Invalid" });
      expect(s.details?.causes).toContainEqual(
        expect.objectContaining({ field: "spec.template.metadata.labels" }),
      );
      expect(s.message).toContain("`selector` does not match template `labels`");
    });

    it("rejects invalid names", async () => {
      const s = await failure(
        core.createNamespacedConfigMap({ namespace, body: { metadata: { name: "Not_Valid" } } }),
      );
      expect(s).toMatchObject({ code: 422, reason: "Invalid" });
      expect(s.details?.causes?.[0]?.field).toBe("metadata.name");
    });
  });

  describe("patches", () => {
    it("applies JSON merge patch and JSON patch to a custom resource", async () => {
      await custom.createNamespacedCustomObject({
        ...VS,
        namespace,
        body: virtualService("patched", [100, 0]),
      });
      const ref = { ...VS, namespace, name: "patched" };
      const merged = await custom.patchNamespacedCustomObject(
        { ...ref, body: { spec: { gateways: ["mesh"] } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
      expect(merged.spec.gateways).toEqual(["mesh"]);
      const patched = await custom.patchNamespacedCustomObject({
        ...ref,
        body: [
          { op: "test", path: "/spec/http/0/route/0/weight", value: 100 },
          { op: "replace", path: "/spec/http/0/route/0/weight", value: 60 },
          { op: "replace", path: "/spec/http/0/route/1/weight", value: 40 },
        ],
      });
      expect(patched.spec.http[0].route.map((r: { weight: number }) => r.weight)).toEqual([60, 40]);
      expect(patched.metadata.generation).toBe(3);
    });

    it("answers 422 when a JSON patch test fails", async () => {
      await custom.createNamespacedCustomObject({
        ...VS,
        namespace,
        body: virtualService("guarded", [100, 0]),
      });
      const s = await failure(
        custom.patchNamespacedCustomObject({
          ...VS,
          namespace,
          name: "guarded",
          body: [{ op: "test", path: "/spec/http/0/route/0/weight", value: 90 }],
        }),
      );
      expect(s).toMatchObject({ code: 422, reason: "Invalid" });
    });

    it("answers 415 to a strategic merge patch of a custom resource", async () => {
      await custom.createNamespacedCustomObject({ ...VS, namespace, body: virtualService("smp", [100, 0]) });
      const s = await failure(
        objects.patch(
          { ...virtualService("smp", [50, 50]), metadata: { name: "smp", namespace } },
          undefined,
          undefined,
          "graydesk",
          undefined,
          PatchStrategy.StrategicMergePatch,
        ),
      );
      expect(s).toMatchObject({ code: 415, reason: "UnsupportedMediaType" });
      expect(s.message).toContain("application/merge-patch+json");
    });

    it("merges a Deployment's containers by name with a strategic merge patch", async () => {
      const d = deployment("smp-deploy", 1);
      d.spec.template.spec.containers.push({ name: "sidecar", image: "docker.io/library/busybox:1.36" });
      await apps.createNamespacedDeployment({ namespace, body: d });
      const patched = await objects.patch(
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "smp-deploy", namespace },
          spec: {
            template: { spec: { containers: [{ name: "app", image: "docker.io/library/nginx:1.28" }] } },
          },
        } as never,
        undefined,
        undefined,
        "graydesk",
        undefined,
        PatchStrategy.StrategicMergePatch,
      );
      const containers = (
        patched as { spec: { template: { spec: { containers: Array<{ name: string; image: string }> } } } }
      ).spec.template.spec.containers;
      expect(containers.map((c) => `${c.name}=${c.image}`)).toEqual([
        "app=docker.io/library/nginx:1.28",
        "sidecar=docker.io/library/busybox:1.36",
      ]);
    });

    it("server-side applies, reports conflicts with another manager, and takes over with force", async () => {
      const spec = { ...virtualService("applied", [100, 0]), metadata: { name: "applied", namespace } };
      const first = await objects.patch(
        spec,
        undefined,
        undefined,
        "graydesk",
        undefined,
        PatchStrategy.ServerSideApply,
      );
      const managed = (first.metadata as { managedFields?: Array<{ manager: string; operation: string }> })
        .managedFields;
      expect(managed?.map((m) => [m.manager, m.operation])).toEqual([["graydesk", "Apply"]]);
      const other = { ...virtualService("applied", [0, 100]), metadata: { name: "applied", namespace } };
      const s = await failure(
        objects.patch(other, undefined, undefined, "someone-else", undefined, PatchStrategy.ServerSideApply),
      );
      expect(s).toMatchObject({ code: 409, reason: "Conflict" });
      expect(s.message).toBe('Apply failed with 1 conflict: conflict with "graydesk": .spec.http');
      const forced = await objects.patch(
        other,
        undefined,
        undefined,
        "someone-else",
        true,
        PatchStrategy.ServerSideApply,
      );
      expect(
        (forced as unknown as { spec: { http: Array<{ route: Array<{ weight: number }> }> } }).spec.http[0]
          ?.route[1]?.weight,
      ).toBe(100);
    });

    it("refuses a dry-run merge patch whose resourceVersion is stale with 409 Conflict, and takes a current one", async () => {
      const created = await custom.createNamespacedCustomObject({
        ...VS,
        namespace,
        body: virtualService("checked-by-dry-run", [90, 10]),
      });
      const planned = created.metadata.resourceVersion as string;
      const changed = await custom.patchNamespacedCustomObject(
        { ...VS, namespace, name: "checked-by-dry-run", body: { metadata: { labels: { moved: "on" } } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
      const dryRun = (resourceVersion: string) =>
        custom.patchNamespacedCustomObject(
          {
            ...VS,
            namespace,
            name: "checked-by-dry-run",
            dryRun: "All",
            body: { metadata: { resourceVersion, labels: { dry: "run" } } },
          },
          setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
        );
      expect(await failure(dryRun(planned))).toMatchObject({ code: 409, reason: "Conflict" });
      const current = changed.metadata.resourceVersion as string;
      expect((await dryRun(current)).metadata.labels).toMatchObject({ dry: "run" });
      const kept = await custom.getNamespacedCustomObject({ ...VS, namespace, name: "checked-by-dry-run" });
      expect(kept.metadata.resourceVersion).toBe(current);
      expect(kept.metadata.labels?.dry).toBeUndefined();
    });

    it("does not store anything on dryRun", async () => {
      const created = await custom.createNamespacedCustomObject({
        ...VS,
        namespace,
        body: virtualService("dry", [100, 0]),
        dryRun: "All",
      });
      expect(created.metadata.name).toBe("dry");
      const s = await failure(custom.getNamespacedCustomObject({ ...VS, namespace, name: "dry" }));
      expect(s.code).toBe(404);
    });
  });

  describe("workloads", () => {
    it("rolls a Deployment out to ready pods, scales it, and removes its pods on delete", async () => {
      await apps.createNamespacedDeployment({ namespace, body: deployment("rollout", 2) });
      const ready = await eventually(
        () => apps.readNamespacedDeployment({ name: "rollout", namespace }),
        (d) => d.status?.readyReplicas === 2 && d.status.observedGeneration === d.metadata?.generation,
      );
      expect(ready.status?.conditions?.find((c) => c.type === "Available")?.status).toBe("True");
      const pods = await core.listNamespacedPod({ namespace, labelSelector: "app=rollout" });
      expect(pods.items).toHaveLength(2);
      expect(pods.items[0]?.metadata?.labels?.["pod-template-hash"]).toBeTruthy();

      await apps.patchNamespacedDeploymentScale(
        { name: "rollout", namespace, body: { spec: { replicas: 3 } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
      await eventually(
        () => core.listNamespacedPod({ namespace, labelSelector: "app=rollout" }),
        (l) =>
          l.items.filter((p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
            .length === 3,
      );
      const scale = await apps.readNamespacedDeploymentScale({ name: "rollout", namespace });
      expect(scale.spec?.replicas).toBe(3);

      await apps.deleteNamespacedDeployment({ name: "rollout", namespace });
      await eventually(
        () => core.listNamespacedPod({ namespace, labelSelector: "app=rollout" }),
        (l) => l.items.length === 0,
      );
    });

    it("rolls a template change to a new ReplicaSet", async () => {
      await apps.createNamespacedDeployment({ namespace, body: deployment("roll", 1) });
      await eventually(
        () => apps.readNamespacedDeployment({ name: "roll", namespace }),
        (d) => d.status?.readyReplicas === 1,
      );
      await objects.patch(
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "roll", namespace },
          spec: { template: { metadata: { labels: { app: "roll", rev: "2" } } } },
        } as never,
        undefined,
        undefined,
        "graydesk",
        undefined,
        PatchStrategy.MergePatch,
      );
      const done = await eventually(
        () => apps.readNamespacedDeployment({ name: "roll", namespace }),
        (d) =>
          d.status?.updatedReplicas === 1 &&
          d.status.replicas === 1 &&
          d.status.conditions?.some(
            (c) => c.type === "Progressing" && c.reason === "NewReplicaSetAvailable",
          ) === true,
      );
      expect(done.metadata?.generation).toBe(2);
      // A real controller manager may report the rollout done a moment before it scales the old set down.
      const sets = await eventually(
        () => apps.listNamespacedReplicaSet({ namespace, labelSelector: "app=roll" }),
        (s) =>
          s.items
            .map((r) => r.spec?.replicas)
            .sort()
            .join() === "0,1",
      );
      expect(sets.items.map((r) => r.spec?.replicas).sort()).toEqual([0, 1]);
    });

    it("keeps leases with optimistic concurrency", async () => {
      const leases = cluster.kubeConfig.makeApiClient(CoordinationV1Api);
      const lease = await leases.createNamespacedLease({
        namespace,
        body: {
          metadata: { name: "graydesk-leader" },
          spec: { holderIdentity: "a", leaseDurationSeconds: 15 },
        },
      });
      await leases.replaceNamespacedLease({
        name: "graydesk-leader",
        namespace,
        body: { ...lease, spec: { ...lease.spec, holderIdentity: "b" } },
      });
      const s = await failure(
        leases.replaceNamespacedLease({
          name: "graydesk-leader",
          namespace,
          body: { ...lease, spec: { ...lease.spec, holderIdentity: "c" } },
        }),
      );
      expect(s.code).toBe(409);
    });
  });

  describe("watch", () => {
    it("streams ADDED, MODIFIED and DELETED from a list's resourceVersion", async () => {
      const list = await core.listNamespacedConfigMap({ namespace });
      const events: string[] = [];
      const watch = new Watch(cluster.kubeConfig);
      const req = await watch.watch(
        `/api/v1/namespaces/${namespace}/configmaps`,
        { resourceVersion: list.metadata?.resourceVersion, labelSelector: "watched=yes" },
        (type, obj: { metadata: { name: string } }) => events.push(`${type} ${obj.metadata.name}`),
        () => undefined,
      );
      await core.createNamespacedConfigMap({
        namespace,
        body: { metadata: { name: "w1", labels: { watched: "yes" } } },
      });
      await core.patchNamespacedConfigMap(
        { name: "w1", namespace, body: { data: { k: "v" } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
      await core.deleteNamespacedConfigMap({ name: "w1", namespace });
      await eventually(
        async () => events,
        (e) => e.length >= 3,
      );
      req.abort();
      expect(events).toEqual(["ADDED w1", "MODIFIED w1", "DELETED w1"]);
    });

    it("watches one object by name without a resourceVersion: its current version first, then its changes alone", async () => {
      await core.createNamespacedConfigMap({
        namespace,
        body: { metadata: { name: "one-watched" }, data: { at: "start" } },
      });
      await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: "one-other" } } });
      const events: string[] = [];
      const watch = new Watch(cluster.kubeConfig);
      const req = await watch.watch(
        `/api/v1/namespaces/${namespace}/configmaps`,
        { fieldSelector: "metadata.name=one-watched" },
        (type, obj: { metadata: { name: string }; data?: { at?: string } }) =>
          events.push(`${type} ${obj.metadata.name} ${obj.data?.at ?? ""}`),
        () => undefined,
      );
      // The current version arrives before any change is made.
      await eventually(
        async () => events,
        (e) => e.length >= 1,
      );
      const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
      await core.patchNamespacedConfigMap(
        { name: "one-other", namespace, body: { data: { at: "x" } } },
        merge,
      );
      await core.patchNamespacedConfigMap(
        { name: "one-watched", namespace, body: { data: { at: "changed" } } },
        merge,
      );
      await core.deleteNamespacedConfigMap({ name: "one-watched", namespace });
      await eventually(
        async () => events,
        (e) => e.length >= 3,
      );
      req.abort();
      expect(events).toEqual([
        "ADDED one-watched start",
        "MODIFIED one-watched changed",
        "DELETED one-watched changed",
      ]);
    });

    it("T14: replays history to a watch from resourceVersion 1 while the cluster is young", async () => {
      await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: "history" } } });
      const events: string[] = [];
      const watch = new Watch(cluster.kubeConfig);
      const req = await watch.watch(
        `/api/v1/namespaces/${namespace}/configmaps`,
        { resourceVersion: "1" },
        (type, obj: { metadata: { name: string } }) => events.push(`${type} ${obj.metadata.name}`),
        () => undefined,
      );
      await eventually(
        async () => events,
        (e) => e.includes("ADDED history"),
      );
      req.abort();
      expect(events).not.toContainEqual(expect.stringMatching(/^ERROR/));
    });
  });
}
