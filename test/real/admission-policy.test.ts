// deploy/'s RBAC and ValidatingAdmissionPolicy on a real API server (RBAC and admission enforced): Graydesk's
// ServiceAccount writes a plain Deployment in a managed namespace, is refused a privileged one by the policy
// (whatever the app's own guard did), and may write nothing in a namespace it does not manage. Others are not
// judged by Graydesk's policy.

import { AppsV1Api, CoreV1Api, KubernetesObjectApi, type V1Deployment } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE, resources } from "../deploy/manifests.ts";
import { type Envtest, startEnvtest } from "../harness/envtest/index.ts";

let cluster: Envtest;
let graydesk: AppsV1Api;

/** What deploy/ applies that this test needs: namespaces, the ServiceAccount, RBAC and the admission policy. */
const APPLIED = new Set([
  "Namespace",
  "ServiceAccount",
  "ClusterRole",
  "ClusterRoleBinding",
  "Role",
  "RoleBinding",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
]);

beforeAll(async () => {
  cluster = await startEnvtest({ crds: ["istio"], controllerManager: false });
  const admin = cluster.kubeConfig();
  const core = admin.makeApiClient(CoreV1Api);
  for (const name of ["bookinfo", "elsewhere"]) await core.createNamespace({ body: { metadata: { name } } });
  const objects = admin.makeApiClient(KubernetesObjectApi);
  for (const object of resources(BASE).filter((o) => APPLIED.has(o.kind))) await objects.create(object);
  const token = await core.createNamespacedServiceAccountToken({
    name: "graydesk",
    namespace: "graydesk",
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  graydesk = cluster.kubeConfig(token.status?.token as string).makeApiClient(AppsV1Api);
  // The policy takes effect once the API server has compiled it: wait until a privileged write is refused.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const refused = await graydesk
      .createNamespacedDeployment({ namespace: "bookinfo", body: deployment("probe", { privileged: true }) })
      .then(
        () => false,
        (e) => (e as { code?: number }).code === 422 || (e as { code?: number }).code === 400,
      );
    if (refused) break;
    await graydesk
      .deleteNamespacedDeployment({ namespace: "bookinfo", name: "probe" })
      .catch(() => undefined);
    if (Date.now() > deadline) throw new Error("the admission policy never took effect");
    await new Promise((r) => setTimeout(r, 200));
  }
}, 120_000);
afterAll(() => cluster?.close());

function deployment(
  name: string,
  securityContext: Record<string, unknown> = {},
  pod: Record<string, unknown> = {},
): V1Deployment {
  return {
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { ...pod, containers: [{ name: "app", image: "reviews:v2", securityContext }] },
      },
    },
  };
}

async function refusal(write: Promise<unknown>): Promise<{ code?: number; message: string }> {
  try {
    await write;
  } catch (error) {
    const e = error as { code?: number; body?: unknown };
    const body = typeof e.body === "string" ? e.body : JSON.stringify(e.body);
    return { ...(e.code ? { code: e.code } : {}), message: body };
  }
  throw new Error("the write was allowed");
}

describe("deploy/'s admission policy and RBAC on a real API server", () => {
  it("lets Graydesk's ServiceAccount write a plain Deployment in a managed namespace", async () => {
    const made = await graydesk.createNamespacedDeployment({
      namespace: "bookinfo",
      body: deployment("reviews-v2", { allowPrivilegeEscalation: false, runAsNonRoot: true }),
    });
    expect(made.metadata?.name).toBe("reviews-v2");
  });

  it.each([
    ["privileged", deployment("priv", { privileged: true }), "may not write a privileged container"],
    [
      "privilege escalation",
      deployment("escalate", { allowPrivilegeEscalation: true }),
      "allows privilege escalation",
    ],
    [
      "added capabilities",
      deployment("caps", { capabilities: { add: ["NET_ADMIN"] } }),
      "adds Linux capabilities",
    ],
    ["root", deployment("root", { runAsUser: 0 }), "runs as root"],
    ["host network", deployment("hostnet", {}, { hostNetwork: true }), "shares the node's network"],
    [
      "host path",
      deployment("hostpath", {}, { volumes: [{ name: "h", hostPath: { path: "/etc" } }] }),
      "mounts a host path",
    ],
  ])("refuses a %s pod spec written by Graydesk's ServiceAccount", async (_name, body, words) => {
    const refused = await refusal(graydesk.createNamespacedDeployment({ namespace: "bookinfo", body }));
    expect(refused.message).toContain("graydesk-pod-specs");
    expect(refused.message).toContain(words);
  });

  it("refuses a privileged template written into an existing Deployment too", async () => {
    const refused = await refusal(
      graydesk.patchNamespacedDeployment({
        namespace: "bookinfo",
        name: "reviews-v2",
        // client-node sends a patch as a JSON patch by default.
        body: [{ op: "add", path: "/spec/template/spec/hostPID", value: true }],
      }),
    );
    expect(refused.message).toContain("graydesk-pod-specs");
  });

  it("does not judge other users' Deployments", async () => {
    const admin = cluster.kubeConfig().makeApiClient(AppsV1Api);
    const made = await admin.createNamespacedDeployment({
      namespace: "bookinfo",
      body: deployment("admins-own", { privileged: true }),
    });
    expect(made.metadata?.name).toBe("admins-own");
  });

  it("gives Graydesk no write in a namespace it does not manage, and no Secrets anywhere", async () => {
    const refused = await refusal(
      graydesk.createNamespacedDeployment({ namespace: "elsewhere", body: deployment("stray") }),
    );
    expect(refused.code).toBe(403);
    const core = cluster.kubeConfig(await tokenOf()).makeApiClient(CoreV1Api);
    expect((await refusal(core.listSecretForAllNamespaces())).code).toBe(403);
    expect((await refusal(core.listNamespacedSecret({ namespace: "elsewhere" }))).code).toBe(403);
  });
});

async function tokenOf(): Promise<string> {
  const token = await cluster
    .kubeConfig()
    .makeApiClient(CoreV1Api)
    .createNamespacedServiceAccountToken({
      name: "graydesk",
      namespace: "graydesk",
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
  return token.status?.token as string;
}
