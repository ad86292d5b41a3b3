// One desk for two clusters (two Kubernetes test servers, staging and prod-eu, one store): jobs carry their
// cluster, the policy asks two approvals in prod-eu and one in staging, stopping prod-eu's server marks only
// its jobs "cluster unreachable" while staging keeps working, and the digest lists both with their cluster.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Policy, parsePolicy, policyFor } from "../../src/approvals/index.ts";
import { ClusterClient } from "../../src/cluster/index.ts";
import { type ClustersDesk, createClustersDesk } from "../../src/desk/index.ts";
import { createLogger } from "../../src/log.ts";
import type { ReleaseJob } from "../../src/release/index.ts";
import { buildDigest, gatherDigest } from "../../src/schedule/index.ts";
import { type AuditLog, openAuditLog, openFileStore, type Store } from "../../src/store/index.ts";
import { loadBookinfo } from "../harness/bookinfo.ts";
import { type KubeTestServer, startKubeServer } from "../harness/kube/index.ts";
import { tempDir } from "../harness/temp-dir.ts";
import { reviewsCanary } from "./world.ts";

const POLICY = `
defaults:
  approvals: 1
clusters:
  prod-eu:
    defaults: { approvals: 2 }
`;

describe("one desk for two clusters", () => {
  const servers: Record<string, KubeTestServer> = {};
  const clients: Record<string, ClusterClient> = {};
  let dir: string;
  let store: Store;
  let audit: AuditLog;
  let desk: ClustersDesk;
  let policy: Policy;
  const jobs: Record<string, ReleaseJob> = {};

  beforeAll(async () => {
    for (const name of ["staging", "prod-eu"]) {
      const server = await startKubeServer({ podReadyDelayMs: 10 });
      servers[name] = server;
      await loadBookinfo(server.kubeConfig(), "bookinfo", {
        reviewsVersions: ["v1"],
        withDestinationRule: true,
      });
      clients[name] = new ClusterClient(server.kubeConfig());
    }
    dir = tempDir("graydesk-clusters-");
    store = await openFileStore(dir);
    audit = await openAuditLog(dir);
    const parsed = parsePolicy(POLICY);
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    policy = parsed.policy;
    desk = createClustersDesk({
      clusters: clients,
      store,
      audit,
      policy,
      clock: () => new Date(),
      logger: createLogger("silent"),
      pollMs: 15,
      waitReadyTimeoutMs: 3000,
      requestTimeoutMs: 1500,
      probeTimeoutMs: 1000,
    });
  });
  afterAll(async () => {
    await desk.close();
    await store.close();
    await audit.close();
    for (const server of Object.values(servers)) await server.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it("names namespaces cluster/namespace and asks which cluster a bare namespace is in", async () => {
    expect(desk.clusterNames()).toEqual(["prod-eu", "staging"]);
    expect(await desk.namespaces()).toEqual(expect.arrayContaining(["prod-eu/bookinfo", "staging/bookinfo"]));
    const services = await desk.services("staging/bookinfo", "bookinfo");
    expect(services.find((s) => s.name === "reviews")?.namespace).toBe("staging/bookinfo");
    await expect(desk.services("bookinfo")).rejects.toThrow(
      "Say which cluster bookinfo is in, as cluster/bookinfo: this desk has prod-eu, staging.",
    );
    await expect(desk.services("dev/bookinfo")).rejects.toThrow(
      "There is no cluster called dev; this desk has prod-eu, staging.",
    );
  });

  it("creates a job in each cluster; each carries its cluster and lives only there", async () => {
    for (const name of ["staging", "prod-eu"]) {
      const created = await desk.createJob({ ...reviewsCanary(), namespace: `${name}/bookinfo` }, "U1");
      expect(created).toMatchObject({ cluster: name, namespace: "bookinfo", name: "reviews-v2" });
      jobs[name] = await desk.waitDeployed(created.id);
      expect(jobs[name]?.state).toBe("ready");
    }
    expect(desk.findJob({ namespace: "prod-eu/bookinfo", name: "reviews-v2" })?.id).toBe(jobs["prod-eu"]?.id);
    expect(desk.jobs("staging/bookinfo").map((j) => j.id)).toEqual([jobs.staging?.id]);
    expect(desk.jobs()).toHaveLength(2);
  });

  it("staging needs one approval and prod-eu two, by the policy's clusters", () => {
    const staging = jobs.staging as ReleaseJob;
    const prod = jobs["prod-eu"] as ReleaseJob;
    expect(policyFor(policy, staging.namespace, staging.cluster).approvals).toBe(1);
    expect(policyFor(policy, prod.namespace, prod.cluster).approvals).toBe(2);
  });

  it("shifts each job on its own cluster only", async () => {
    for (const [name, percent] of [
      ["staging", 20],
      ["prod-eu", 10],
    ] as const) {
      const job = jobs[name] as ReleaseJob;
      const plan = await desk.planChange(
        job.id,
        { kind: "shift", traffic: { kind: "weights", weights: { v1: 100 - percent, v2: percent } } },
        "U1",
      );
      jobs[name] = (await desk.applyPlan(plan.id, "U2")).job;
      const vs = await (clients[name] as ClusterClient).get<{
        apiVersion: string;
        kind: string;
        spec: { http: { route: { weight: number }[] }[] };
      }>({
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        namespace: "bookinfo",
        name: "reviews",
      });
      expect(vs?.spec.http[0]?.route.map((r) => r.weight)).toEqual([100 - percent, percent]);
    }
  });

  it("with prod-eu's server stopped, only prod-eu is unreachable: staging still plans and applies", async () => {
    await servers["prod-eu"]?.close();
    expect(await desk.reachability()).toEqual({
      "prod-eu": { reachable: false, reason: expect.any(String) },
      staging: { reachable: true },
    });
    const staging = jobs.staging as ReleaseJob;
    const plan = await desk.planChange(
      staging.id,
      { kind: "shift", traffic: { kind: "weights", weights: { v1: 50, v2: 50 } } },
      "U1",
    );
    jobs.staging = (await desk.applyPlan(plan.id, "U2")).job;
    expect(jobs.staging.traffic).toEqual({ kind: "weights", weights: { v1: 50, v2: 50 } });
    await expect(desk.status((jobs["prod-eu"] as ReleaseJob).id)).rejects.toThrow();
  });

  it("the digest lists both clusters' jobs under cluster/namespace, prod-eu's marked cluster unreachable", async () => {
    const input = await gatherDigest({
      store,
      list: () => Promise.reject(new Error("no cluster without a name here")),
      clusters: Object.fromEntries(
        Object.entries(clients).map(([name, client]) => [name, client.list.bind(client)]),
      ),
      policy,
    });
    expect(input.jobs.map((j) => [j.job.cluster, j.unreachable ?? false])).toEqual(
      expect.arrayContaining([
        ["staging", false],
        ["prod-eu", true],
      ]),
    );
    const [message] = buildDigest(input);
    const text = JSON.stringify(message?.blocks);
    expect(text).toContain('"text":"prod-eu/bookinfo"');
    expect(text).toContain('"text":"staging/bookinfo"');
    expect(text).toContain("cluster unreachable: cluster prod-eu did not answer");
    expect(text).toMatch(/reviews-v2\* \(canary, active\) — configured v1 50% \/ v2 50% ·/);
  });
});
