// The RBAC in deploy/ is exactly what Graydesk needs: the seed 004 story passes with it, and without any one
// verb × resource it grants, the step that needs it tells the person in Slack which permission was refused.
// deploy/ grants release permissions per managed namespace (the policy's, "bookinfo"); each story run uses a
// namespace of its own, so the managed namespace's Role and RoleBinding are moved to that run's namespace.

import { CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestCluster } from "../harness/envtest/cluster.ts";
import { startTestGraydesk } from "../harness/graydesk.ts";
import type { KubeTestServer, KubeTestServerOptions } from "../harness/kube/index.ts";
import { type SlackApiServer, startSlackApiServer } from "../harness/slack/index.ts";
import { ALICE, BOB, POLICY, until } from "../slack/desk/world.ts";
import {
  BASE,
  type Grant,
  grantName,
  grants,
  REPLICATED,
  resources,
  SERVICE_ACCOUNT,
  serviceAccountRules,
  without,
} from "./manifests.ts";
import { kubeconfigIn, OWN_NAMESPACE, runStory, type StepName } from "./story.ts";

// A whole story is five Slack round trips with cluster work between them: minutes, not seconds, on a loaded machine
// (each step may take up to story.ts's 60 s).
vi.setConfig({ testTimeout: 360_000 });

type Scenario = "istio" | "istio without DestinationRule" | "kubesphere" | "gateway-api" | "no mesh";

const SCENARIOS: Record<Scenario, { server: KubeTestServerOptions; destinationRule: boolean }> = {
  istio: { server: { crds: ["istio"] }, destinationRule: true },
  // The job creates the DestinationRule, so taking it offline deletes it.
  "istio without DestinationRule": { server: { crds: ["istio"] }, destinationRule: false },
  kubesphere: { server: { crds: ["kubesphere"] }, destinationRule: false },
  // Gateway API only: the job makes a Service per version and the HTTPRoute, and removes them offline.
  "gateway-api": { server: { crds: ["gateway-api"] }, destinationRule: false },
  // Only the replica router: weights become replica counts (Deployment patches).
  "no mesh": { server: { crds: [] }, destinationRule: false },
};

type Expectation =
  | { scenario: Scenario; refusedAt: StepName | "start" }
  /** Used, but a refusal only narrows what Graydesk does: the story still completes, as `router` says. */
  | { scenario: Scenario; degrades: string; router: string; askedFirst?: true };

/**
 * Every grant of the base: the cluster-wide discovery reads and the managed namespace's Role; the scenario that
 * needs each and the step that stops without it.
 */
const CLUSTER_WIDE: Record<string, Expectation> = {
  "get namespaces": { scenario: "istio", refusedAt: "new 20 %" },
  "list namespaces": { scenario: "istio", refusedAt: "config" },
  // Istio's story finds the Service in its namespace's list, read moments before (within the read cache's
  // time); the Gateway API router writes Services, which forgets that list, and reads them by name.
  "get services": { scenario: "gateway-api", refusedAt: "new 20 %" },
  "list services": { scenario: "istio", refusedAt: "new 20 %" },
  "list customresourcedefinitions.apiextensions.k8s.io": {
    scenario: "istio",
    degrades: "without reading CRDs Graydesk cannot see Istio and splits by replicas",
    router: "replicas",
    // A SelfSubjectAccessReview says no before any list is tried.
    askedFirst: true,
  },
  "get deployments.apps": { scenario: "istio", refusedAt: "new 20 %" },
  "list deployments.apps": { scenario: "istio", refusedAt: "new 20 %" },
  "create deployments.apps": { scenario: "istio", refusedAt: "new 20 %" },
  "patch deployments.apps": { scenario: "no mesh", refusedAt: "new 20 %" },
  "delete deployments.apps": { scenario: "istio", refusedAt: "offline" },
  "watch deployments.apps": {
    scenario: "istio",
    degrades: "without the watch Graydesk reads a new version's Deployment every second until it is ready",
    router: "istio",
  },
  // A traffic change plans from the routes as Graydesk last wrote them (its dry run checks them): the first
  // read by name is the VirtualService that taking the job offline deletes.
  "get virtualservices.networking.istio.io": { scenario: "istio", refusedAt: "offline" },
  "list virtualservices.networking.istio.io": { scenario: "istio", refusedAt: "new 20 %" },
  "create virtualservices.networking.istio.io": { scenario: "istio", refusedAt: "new 20 %" },
  "patch virtualservices.networking.istio.io": { scenario: "istio", refusedAt: "new 20 %" },
  "delete virtualservices.networking.istio.io": { scenario: "istio", refusedAt: "offline" },
  "get destinationrules.networking.istio.io": { scenario: "istio", refusedAt: "new 20 %" },
  "list destinationrules.networking.istio.io": { scenario: "istio", refusedAt: "new 20 %" },
  "create destinationrules.networking.istio.io": {
    scenario: "istio without DestinationRule",
    refusedAt: "new 20 %",
  },
  "patch destinationrules.networking.istio.io": { scenario: "istio", refusedAt: "offline" },
  "delete destinationrules.networking.istio.io": {
    scenario: "istio without DestinationRule",
    refusedAt: "offline",
  },
  "list ingresses.networking.k8s.io": {
    scenario: "istio",
    degrades: "without reading Ingresses Graydesk cannot warn that their traffic bypasses the split",
    router: "istio",
  },
  "get strategies.servicemesh.kubesphere.io": { scenario: "kubesphere", refusedAt: "new 20 %" },
  "list strategies.servicemesh.kubesphere.io": { scenario: "kubesphere", refusedAt: "new 20 %" },
  "create strategies.servicemesh.kubesphere.io": { scenario: "kubesphere", refusedAt: "new 20 %" },
  "patch strategies.servicemesh.kubesphere.io": { scenario: "kubesphere", refusedAt: "new 20 %" },
  "delete strategies.servicemesh.kubesphere.io": { scenario: "kubesphere", refusedAt: "offline" },
  "create services": { scenario: "gateway-api", refusedAt: "new 20 %" },
  "delete services": { scenario: "gateway-api", refusedAt: "offline" },
  "get httproutes.gateway.networking.k8s.io": { scenario: "gateway-api", refusedAt: "new 20 %" },
  "list httproutes.gateway.networking.k8s.io": { scenario: "gateway-api", refusedAt: "new 20 %" },
  "create httproutes.gateway.networking.k8s.io": { scenario: "gateway-api", refusedAt: "new 20 %" },
  "patch httproutes.gateway.networking.k8s.io": { scenario: "gateway-api", refusedAt: "new 20 %" },
  "delete httproutes.gateway.networking.k8s.io": { scenario: "gateway-api", refusedAt: "offline" },
};

/** The replicated overlay's Role in Graydesk's own namespace, exercised through the story with STORE=kubernetes. */
const STATE: Record<string, Expectation> = {
  "list configmaps": { scenario: "istio", refusedAt: "start" },
  "watch configmaps": {
    scenario: "istio",
    degrades: "without the watch the store re-lists its ConfigMaps every second instead",
    router: "istio",
    // A SelfSubjectAccessReview says no before any watch is tried.
    askedFirst: true,
  },
  "create configmaps": { scenario: "istio", refusedAt: "config" },
  "update configmaps": { scenario: "istio", refusedAt: "new 20 %" },
};
/**
 * Used where the story's one-line canary in a mesh namespace does not go: Pods to find sidecars in namespaces
 * without Istio's injection label and to name a pod stuck pulling its image (test/desk/failures.test.ts);
 * ConfigMaps and Secrets for the wizard's described containers and the pod guard's check of a Secret the new
 * pod references (test/safety/new-version-attack.test.ts); Gateways for the wizard's services and a job whose
 * service a gateway's route reaches (test/desk/gateway.test.ts): no route binds one in the story's Bookinfo.
 */
const OTHER_FLOWS = ["list pods", "list configmaps", "list secrets", "list gateways.networking.istio.io"];
/** Used by the Argo Rollouts gates, which test/controllers/argo-rbac.test.ts covers grant by grant. */
const ARGO_ROLLOUTS = [
  "get rollouts.argoproj.io",
  "list rollouts.argoproj.io",
  "watch rollouts.argoproj.io",
  "patch rollouts.argoproj.io",
  "patch rollouts/status.argoproj.io",
];
/** Used by schedules (digests, steps, leader election), which test/deploy/state-rbac.test.ts covers. */
const SCHEDULES = [
  "delete configmaps",
  // The audit trail reads the record another replica appended first (test/replicas/two-processes.test.ts).
  "get configmaps",
  "get leases.coordination.k8s.io",
  "create leases.coordination.k8s.io",
  "update leases.coordination.k8s.io",
];

const base = serviceAccountRules(resources(BASE));
const replicated = serviceAccountRules(resources(REPLICATED));
const clusterWide = grants(base);
const ownNamespace = grants(replicated).filter((g) => g.namespace === OWN_NAMESPACE);

let api: SlackApiServer;
const servers = new Map<Scenario, KubeTestServer>();

beforeAll(async () => {
  api = await startSlackApiServer();
  api.setUsers([ALICE, BOB]);
  for (const [name, scenario] of Object.entries(SCENARIOS) as [Scenario, (typeof SCENARIOS)[Scenario]][]) {
    const kube = await startTestCluster({ podReadyDelayMs: 20, ...scenario.server });
    await kube
      .kubeConfig()
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: OWN_NAMESPACE } } });
    servers.set(name, kube);
  }
});
afterAll(async () => {
  await api?.close();
  for (const kube of servers.values()) await kube.close();
});

/** The namespace deploy/'s policy manages: its Role is the one every story run gets in its own namespace. */
const MANAGED = "bookinfo";
const inRun = (rules: typeof base) => (namespace: string) =>
  rules.map((r) => (r.namespaces?.[0] === MANAGED ? { ...r, namespaces: [namespace] } : r));

const story = (scenario: Scenario, rules: typeof base, store?: "kubernetes") =>
  runStory(servers.get(scenario) as KubeTestServer, api, inRun(rules), {
    destinationRule: SCENARIOS[scenario].destinationRule,
    ...(store ? { store } : {}),
  });

describe("the manifests grant what the code uses, and nothing it does not", () => {
  it("names every granted verb × resource in these tables, each with the step that needs it", () => {
    expect([...Object.keys(CLUSTER_WIDE), ...ARGO_ROLLOUTS, ...OTHER_FLOWS].sort()).toEqual(
      clusterWide.map(grantName).sort(),
    );
    expect([...Object.keys(STATE), ...SCHEDULES].sort()).toEqual(ownNamespace.map(grantName).sort());
  });

  it.each(Object.keys(SCENARIOS) as Scenario[])(
    "runs the whole story on %s with the base RBAC",
    async (s) => {
      const outcome = await story(s, base);
      expect(outcome).toMatchObject({ done: true, job: { state: "offline" } });
    },
  );

  it("runs the whole story with the replicated overlay's RBAC and STORE=kubernetes", async () => {
    const outcome = await story("istio", replicated, "kubernetes");
    expect(outcome).toMatchObject({ done: true, job: { router: "istio", state: "offline" } });
  });
});

describe("scoped to the managed namespaces", () => {
  it("grants nothing on Secrets cluster-wide", () => {
    expect(clusterWide.filter((g) => g.resource === "secrets" && !g.namespace)).toEqual([]);
  });

  it("refuses a job in a namespace the policy does not name, in words, before any request to it", async () => {
    const kube = servers.get("istio") as KubeTestServer;
    await kube.setUser("graydesk-unmanaged", { name: SERVICE_ACCOUNT, rules: base });
    kube.resetRequests();
    api.reset();
    const app = await startTestGraydesk(api, {
      kubeconfig: kubeconfigIn(kube, "graydesk-unmanaged", OWN_NAMESPACE),
      policyFile: POLICY,
    });
    try {
      await app.slack.command(
        "/release",
        "new canary elsewhere/reviews name=reviews-v2 version=v2 image=kubesphere/example-bookinfo-reviews-v2:1.16.2 weight=20",
        { user: ALICE },
      );
      const answer = await until(() =>
        api.calls.find((c) => JSON.stringify(c.args).includes("does not manage namespace elsewhere")),
      );
      expect(JSON.stringify(answer.args)).toContain("deploy:namespaces");
      expect(kube.requests.filter((r) => r.namespace === "elsewhere")).toEqual([]);
    } finally {
      await app.stop();
    }
  });
});

describe("without one granted permission, the user is told which", () => {
  it.each(
    clusterWide
      .filter((g) => !ARGO_ROLLOUTS.includes(grantName(g)) && !OTHER_FLOWS.includes(grantName(g)))
      .map((g) => [grantName(g), g] as const),
  )("%s", async (name, grant) => {
    await expectRefusal(CLUSTER_WIDE[name] as Expectation, grant, () =>
      story((CLUSTER_WIDE[name] as Expectation).scenario, without(base, grant)),
    );
  });

  it.each(ownNamespace.filter((g) => STATE[grantName(g)]).map((g) => [grantName(g), g] as const))(
    "%s in Graydesk's namespace (STORE=kubernetes)",
    async (name, grant) => {
      await expectRefusal(STATE[name] as Expectation, grant, () =>
        story("istio", without(replicated, grant), "kubernetes"),
      );
    },
  );
});

async function expectRefusal(
  expected: Expectation,
  grant: Grant,
  run: () => ReturnType<typeof runStory>,
): Promise<void> {
  const kube = servers.get(expected.scenario) as KubeTestServer;
  kube.resetRequests();
  const outcome = await run();
  // The API server did refuse Graydesk exactly this permission, or Graydesk asked and was told no.
  const refused = kube.requests.filter(
    (r) => r.status === 403 && r.verb === grant.verb && r.resource === grant.resource,
  );
  if ("askedFirst" in expected) {
    expect(refused).toEqual([]);
    expect(kube.requests.some((r) => r.resource === "selfsubjectaccessreviews" && r.status === 201)).toBe(
      true,
    );
  } else expect(refused.length).toBeGreaterThan(0);
  if ("degrades" in expected) {
    expect(outcome).toMatchObject({ done: true, job: { router: expected.router, state: "offline" } });
    return;
  }
  expect(outcome, JSON.stringify(outcome)).toMatchObject({ done: false, step: expected.refusedAt });
  const seen = outcome.done ? "" : outcome.seen;
  if (expected.refusedAt === "start") {
    // Graydesk does not start, saying which read of its state was refused and that the API server said no.
    expect(seen).toContain(`cannot ${grant.verb} the state ConfigMaps`);
    expect(seen).toContain("answered 403");
    return;
  }
  // Graydesk's words name the verb; the API server's, quoted after them, name the resource and its group.
  expect(seen).toContain(`forbidden: ${grant.verb} `);
  expect(seen).toContain(`cannot ${grant.verb} resource "${grant.resource}" in API group "${grant.group}"`);
}
