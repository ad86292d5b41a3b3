// Kubernetes reads per user operation: a plan and the status drawn under it read each object once, Services
// come from the read cache, and anything after a write (a status after an apply) reads the cluster again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReleaseJob } from "../../src/release/index.ts";
import type { KubeTestServer } from "../harness/kube/index.ts";
import {
  ALICE,
  approvalMessage,
  BOB,
  CHANNEL,
  type World as SlackWorld,
  startWorld as startSlackWorld,
  until,
} from "../slack/desk/world.ts";
import { apiCalls, NS, reviewsCanary, startWorld, type World } from "./world.ts";

const reads = (calls: string[]) => calls.filter((c) => c.startsWith("get ") || c.startsWith("list "));
const counted = (calls: string[]) => {
  const all = new Map<string, number>();
  for (const c of calls) all.set(c, (all.get(c) ?? 0) + 1);
  return Object.fromEntries(all);
};

describe("reads per operation", () => {
  let world: World;
  let job: ReleaseJob;

  beforeAll(async () => {
    world = await startWorld({ bookinfo: { withDestinationRule: true } });
    job = await world.desk.createJob(reviewsCanary(), "U1");
    await world.desk.waitDeployed(job.id);
    // The first shift waits for v2 to be ready before routing to it; the ones measured here move weights only.
    const first = await world.desk.planChange(
      job.id,
      { kind: "shift", traffic: { kind: "weights", weights: { v1: 90, v2: 10 } } },
      "U1",
    );
    await world.desk.applyPlan(first.id, "U2");
    await world.desk.status(job.id);
  });
  afterAll(() => world.close());

  it("plans a shift and draws its status with one read of each kind and no Service read", async () => {
    world.kube.resetRequests();
    const plan = await world.desk.planChange(
      job.id,
      { kind: "shift", traffic: { kind: "weights", weights: { v1: 70, v2: 30 } } },
      "U1",
    );
    const status = await world.desk.status(job.id);
    const calls = apiCalls(world.kube);
    expect(plan.steps.map((s) => s.action)).toContain("patch");
    expect(status.configured).toEqual({ kind: "weights", weights: { v1: 90, v2: 10 } });
    expect(status.versions.map((v) => v.version)).toEqual(["v1", "v2"]);
    expect(Object.values(counted(reads(calls))).every((n) => n === 1)).toBe(true);
    expect(reads(calls).filter((c) => c.includes(" services/") || c === "list services")).toEqual([]);
    expect(calls.length).toBeLessThanOrEqual(5);
  });

  it("applies a planned shift with the patch alone, and a later status reads the routes anew", async () => {
    const plan = await world.desk.planChange(
      job.id,
      { kind: "shift", traffic: { kind: "weights", weights: { v1: 60, v2: 40 } } },
      "U1",
    );
    await world.desk.status(job.id);
    world.kube.resetRequests();
    await world.desk.applyPlan(plan.id, "U2");
    expect(apiCalls(world.kube)).toEqual(["patch virtualservices/reviews"]);
    const status = await world.desk.status(job.id);
    expect(status.configured).toEqual({ kind: "weights", weights: { v1: 60, v2: 40 } });
    expect(reads(apiCalls(world.kube))).toContain("get virtualservices/reviews");
  });

  it("refuses a plan made stale by a change outside Graydesk, though Services are read from the cache", async () => {
    const plan = await world.desk.planChange(
      job.id,
      { kind: "shift", traffic: { kind: "weights", weights: { v1: 50, v2: 50 } } },
      "U1",
    );
    await world.cluster.mergePatch(
      { apiVersion: "networking.istio.io/v1", kind: "VirtualService", namespace: NS, name: "reviews" },
      { metadata: { labels: { edited: "by-hand" } } },
    );
    await expect(world.desk.applyPlan(plan.id, "U2")).rejects.toMatchObject({ code: "stale-plan" });
    const status = await world.desk.status(job.id);
    expect(status.configured).toEqual({ kind: "weights", weights: { v1: 60, v2: 40 } });
  });

  it("plans from the routes as Graydesk last wrote them, and reads them again when the dry run finds them changed", async () => {
    const applied = await world.desk.planChange(
      job.id,
      { kind: "shift", traffic: { kind: "weights", weights: { v1: 55, v2: 45 } } },
      "U1",
    );
    await world.desk.applyPlan(applied.id, "U2");
    world.kube.resetRequests();
    await world.desk.planChange(
      job.id,
      { kind: "shift", traffic: { kind: "weights", weights: { v1: 45, v2: 55 } } },
      "U1",
    );
    expect(apiCalls(world.kube)).toEqual(["patch virtualservices/reviews"]);
    await world.cluster.mergePatch(
      { apiVersion: "networking.istio.io/v1", kind: "VirtualService", namespace: NS, name: "reviews" },
      { metadata: { labels: { edited: "by-hand-again" } } },
    );
    world.kube.resetRequests();
    const plan = await world.desk.planChange(
      job.id,
      { kind: "shift", traffic: { kind: "weights", weights: { v1: 40, v2: 60 } } },
      "U1",
    );
    // The dry run at the version Graydesk wrote is refused; the plan is made again from the routes as they are.
    expect(apiCalls(world.kube)).toEqual([
      "patch virtualservices/reviews",
      "get virtualservices/reviews",
      "patch virtualservices/reviews",
    ]);
    await world.desk.applyPlan(plan.id, "U2");
    expect((await world.desk.status(job.id)).configured).toEqual({
      kind: "weights",
      weights: { v1: 40, v2: 60 },
    });
  });

  it("draws a status after Graydesk's own write from new reads, not the plan's", async () => {
    const plan = await world.desk.planChange(
      job.id,
      { kind: "shift", traffic: { kind: "weights", weights: { v1: 50, v2: 50 } } },
      "U1",
    );
    await world.cluster.mergePatch(
      { apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name: "reviews-v1" },
      { spec: { replicas: 2 } },
    );
    // A write by Graydesk in the namespace drops the plan's reads at once.
    await world.desk.applyPlan(plan.id, "U2");
    world.kube.resetRequests();
    const status = await world.desk.status(job.id);
    expect(reads(apiCalls(world.kube))).toContain("list deployments");
    expect(status.versions.find((v) => v.version === "v1")?.replicas).toBe(2);
  });
});

describe("reads of a proposed new version", () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ bookinfo: { withDestinationRule: true } });
  });
  afterAll(() => world.close());

  it("draws the job's status under the approval request from the proposal's reads, and applies with them", async () => {
    const job = await world.desk.createJob(reviewsCanary(), "U1", { approval: true });
    world.kube.resetRequests();
    const status = await world.desk.status(job.id);
    expect(status.versions.map((v) => v.version)).toEqual(["v1"]);
    // Nothing was written: what the proposal read is what the cluster holds.
    expect(apiCalls(world.kube)).toEqual([]);
    world.kube.resetRequests();
    await world.desk.applyPlan(job.proposal?.planId ?? "", "U2");
    // The absence of what it creates (the VirtualService is proved by its own create, first), then the writes; the
    // wait for the new version that starts after the apply is not the apply's.
    const applied = apiCalls(world.kube).filter(
      (call) => call !== "watch deployments" && call !== "list pods",
    );
    expect(applied).toEqual(["get deployments/reviews-v2", "create virtualservices", "create deployments"]);
  });
});

/** Every request to the Kubernetes API the test server recorded (discovery aside), by verb and resource, in order. */
function requestsIn(kube: KubeTestServer): string[] {
  return kube.requests
    .filter((r) => r.resource)
    .map((r) => `${r.query?.includes("dryRun") ? "dry-run " : ""}${r.verb} ${r.resource}`);
}

/** The same, counted per verb and resource. */
function requestsBy(kube: KubeTestServer): Record<string, number> {
  const by: Record<string, number> = {};
  for (const key of requestsIn(kube)) by[key] = (by[key] ?? 0) + 1;
  return by;
}
const total = (by: Record<string, number>) => Object.values(by).reduce((a, b) => a + b, 0);

/**
 * A whole operation through Slack, as people make it: the command, the approval request with the card redrawn
 * under it, the Approve click, the apply and the card redrawn after it. Counted from the command until
 * Graydesk has nothing left in flight after the apply.
 */
describe("Kubernetes requests per operation, through Slack", () => {
  let world: SlackWorld;
  const counts: Record<string, Record<string, number>> = {};
  const sequences: Record<string, string[]> = {};

  async function operation(name: string, command: string) {
    const settle = () => until(() => world.app.graydesk.deps.inFlight.size === 0, 15_000);
    const before = approvalMessage(world.api)?.ts;
    world.kube.resetRequests();
    await world.app.slack.command("/release", command, { user: ALICE });
    const request = await until(() => {
      const m = approvalMessage(world.api);
      return m && m.ts !== before ? structuredClone(m) : undefined;
    }, 15_000);
    await settle();
    counts[`${name}: asked`] = requestsBy(world.kube);
    world.kube.resetRequests();
    await world.app.slack.clickButton(request, "approval_approve", { user: BOB });
    await until(
      () => JSON.stringify(world.api.message(CHANNEL, request.ts)?.blocks).includes("Applied"),
      15_000,
    );
    await settle();
    const applied = requestsBy(world.kube);
    counts[`${name}: applied`] = applied;
    sequences[`${name}: applied`] = requestsIn(world.kube);
    const all: Record<string, number> = { ...counts[`${name}: asked`] };
    for (const [key, n] of Object.entries(applied)) all[key] = (all[key] ?? 0) + n;
    counts[name] = all;
  }

  beforeAll(async () => {
    // Readiness is awaited by a watch: no poll, and no pod list however slow the machine is.
    world = await startSlackWorld({ readyPollMs: 600_000 });
    // What the cluster serves (a SelfSubjectAccessReview and the CRD list) is read at start-up, once per
    // process: counted by no operation.
    await world.app.graydesk.capabilitiesRead;
    expect(world.kube.requests.filter((r) => r.resource === "customresourcedefinitions")).toHaveLength(1);
    await operation(
      "create",
      "new canary bookinfo/reviews name=reviews-v2 version=v2 image=kubesphere/example-bookinfo-reviews-v2:1.16.2 weight=20",
    );
    await operation("shift", "shift reviews-v2 v1=20 v2=80");
    await operation("takeOver", "takeover reviews-v2 v2");
    await operation("offline", "offline reviews-v2");
  }, 120_000);
  afterAll(() => world?.close());

  it("draws the card after an apply from the plan's reads and the writes' answers: the apply sends its writes alone", () => {
    expect(counts["shift: applied"]).toEqual({ "patch virtualservices": 1 });
    expect(counts["takeOver: applied"]).toEqual({ "patch virtualservices": 1 });
  });

  it("shifts with a dry run and the patch: the routes as last answered, proved current by the dry run", () => {
    // The routes are taken as the previous apply's patch answered them; the dry run carries their version, so
    // routes changed since would be refused there and read again (see "reads per operation").
    expect(counts.shift).toEqual({
      "dry-run patch virtualservices": 1,
      "patch virtualservices": 1,
    });
  });

  it("takes over with as many", () => {
    expect(counts.takeOver).toEqual({
      "dry-run patch virtualservices": 1,
      "patch virtualservices": 1,
    });
  });

  it("takes a job offline with at most two requests per object it changes, its dry run included", () => {
    // The DestinationRule is planned from its last answer (its dry run is conditioned on that version) and read
    // once, before its patch: it is not the first write, and a plan found stale must change nothing. The
    // VirtualService is read (its delete has no dry run) and its delete, first, carries the version read; the
    // Deployment to delete is named by the namespace's last Deployment list.
    expect(counts.offline).toEqual({
      "get virtualservices": 1,
      "dry-run patch destinationrules": 1,
      "get destinationrules": 1,
      "delete virtualservices": 1,
      "patch destinationrules": 1,
      "delete deployments": 1,
    });
    const changed = 3;
    expect(total(counts.offline ?? {})).toBeLessThanOrEqual(2 * changed);
  });

  it("creates a job and makes its first shift in 13 requests, counted raw, readiness checked before the traffic moves", () => {
    const create = counts.create ?? {};
    // Everything the command, the creation, the wait for the new version, the first request's plan and its apply
    // sent, nothing left out:
    expect(create).toEqual({
      // One discovery for the command and the job it creates: the Namespace (mesh label, Pod Security level),
      // its Services and Deployments (versions; the new Deployment's name is free, so no read of it before its
      // create: a create refused as existing is undone); no Gateways, which no route to reviews binds.
      "get namespaces": 1,
      "list services": 1,
      "list deployments": 1,
      // The routing objects, found by host; the routes hold the stable version before the Deployment exists.
      "list destinationrules": 1,
      "list virtualservices": 1,
      "create virtualservices": 1,
      "create deployments": 1,
      // The new version awaited with one watch, not polls.
      "watch deployments": 1,
      // The card's warning about traffic that bypasses the split (kept for the first request's plan).
      "list ingresses": 1,
      // The first request's plan: the subsets read anew (not patched, so no dry run proves them current), the
      // routes as the creation answered them, proved current by the dry run.
      "get destinationrules": 1,
      "dry-run patch virtualservices": 1,
      // The apply: the new version read ready right before the routes send it traffic.
      "get deployments": 1,
      "patch virtualservices": 1,
    });
    expect(total(create)).toBe(13);
    // The readiness read is the apply's, right before its traffic patch.
    const applied = sequences["create: applied"] ?? [];
    expect(applied).toEqual(["get deployments", "patch virtualservices"]);
    expect(create["list configmaps"]).toBeUndefined();
    expect(create["list secrets"]).toBeUndefined();
    // Read at start-up, not by the operation.
    expect(create["create selfsubjectaccessreviews"]).toBeUndefined();
    expect(create["list customresourcedefinitions"]).toBeUndefined();
  });
});
