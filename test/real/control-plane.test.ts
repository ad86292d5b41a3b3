// The real control plane the `real` suite runs on: RBAC is enforced, Deployments become ready through the
// controller manager and the kubelet stand-in, the project's CRDs are served, and requests are recorded.

import { AppsV1Api, CoreV1Api, CustomObjectsApi, VersionApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure } from "../conformance/kube-cases.ts";
import { type Envtest, startEnvtest } from "../harness/envtest/index.ts";

let cluster: Envtest;
beforeAll(async () => {
  cluster = await startEnvtest({ crds: ["istio", "kubesphere"], podReadyDelayMs: 20 });
});
afterAll(() => cluster?.close());

const deployment = (name: string, image: string) => ({
  metadata: { name },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image }] } },
  },
});

describe("a real control plane", () => {
  it("answers as kube-apiserver v1.32 and serves the project's CRDs", async () => {
    const version = await cluster.kubeConfig().makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toMatch(/^v1\.32\./);
    const custom = cluster.kubeConfig().makeApiClient(CustomObjectsApi);
    const list = await custom.listClusterCustomObject({
      group: "servicemesh.kubesphere.io",
      version: "v1alpha2",
      plural: "strategies",
    });
    expect(list.items).toEqual([]);
  });

  it("brings a Deployment's Pods to Ready through the controller manager and the kubelet stand-in", async () => {
    const kc = cluster.kubeConfig();
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    await core.createNamespace({ body: { metadata: { name: "plane" } } });
    await apps.createNamespacedDeployment({ namespace: "plane", body: deployment("good", "nginx:1.27") });
    await apps.createNamespacedDeployment({ namespace: "plane", body: deployment("bad", "nginx:broken") });
    cluster.markImageBad("nginx:broken");
    const ready = async (name: string) =>
      (await apps.readNamespacedDeployment({ namespace: "plane", name })).status?.readyReplicas ?? 0;
    for (let i = 0; i < 600 && (await ready("good")) < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await ready("good")).toBe(2);
    const pods = await core.listNamespacedPod({ namespace: "plane", labelSelector: "app=good" });
    expect(pods.items.map((p) => p.status?.conditions?.find((c) => c.type === "Ready")?.status)).toEqual([
      "True",
      "True",
    ]);
    expect(await ready("bad")).toBe(0);
  });

  it("enforces RBAC for users made at run time, and records what the real server answered", async () => {
    await cluster.setUser("reader", {
      name: "reader",
      rules: [{ verbs: ["get", "list"], apiGroups: ["apps"], resources: ["deployments"] }],
    });
    const reader = cluster.kubeConfig("reader");
    cluster.resetRequests();
    const listed = await reader.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: "plane" });
    expect(listed.items.map((d) => d.metadata?.name).sort()).toEqual(["bad", "good"]);
    const denied = await failure(reader.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: "plane" }));
    expect(denied.httpCode).toBe(403);
    expect(denied.message).toBe(
      `pods is forbidden: User "${cluster.username("reader")}" cannot list resource "pods" in API group "" in the namespace "plane"`,
    );
    expect(cluster.requests.map((r) => `${r.verb} ${r.resource} ${r.namespace} ${r.status}`)).toEqual([
      "list deployments plane 200",
      "list pods plane 403",
    ]);
  });
});
