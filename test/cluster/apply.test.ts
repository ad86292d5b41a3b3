// Executing plans against the Kubernetes API test server: dry runs, preconditions, conditional writes; and the
// journal every step leaves (waiting for readiness: wait-ready.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ClusterClient,
  checkPreconditions,
  dryRunPlan,
  journalEntries,
  runSteps,
} from "../../src/cluster/index.ts";
import { makePlan } from "../../src/release/index.ts";
import { openFileStore, type Store } from "../../src/store/index.ts";
import { apiCalls } from "../desk/world.ts";
import { loadBookinfo } from "../harness/bookinfo.ts";
import { type KubeTestServer, startKubeServer } from "../harness/kube/index.ts";
import { tempDir } from "../harness/temp-dir.ts";

const NS = "bookinfo";
const VS = { apiVersion: "networking.istio.io/v1", kind: "VirtualService", namespace: NS, name: "reviews" };
const virtualService = (weight: unknown) => ({
  apiVersion: "networking.istio.io/v1",
  kind: "VirtualService",
  metadata: { name: "reviews", namespace: NS },
  spec: {
    hosts: ["reviews"],
    http: [{ route: [{ destination: { host: "reviews", subset: "v1" }, weight }] }],
  },
});

describe("apply", () => {
  let kube: KubeTestServer;
  let client: ClusterClient;
  let store: Store;
  beforeAll(async () => {
    kube = await startKubeServer({ podReadyDelayMs: 5 });
    await loadBookinfo(kube.kubeConfig(), NS, { reviewsVersions: ["v1"] });
    client = new ClusterClient(kube.kubeConfig());
    store = await openFileStore(tempDir("graydesk-apply-"));
  });
  afterAll(async () => {
    await store.close();
    await kube.close();
  });
  const deps = () => ({
    kube: client,
    store,
    clock: () => new Date(),
    waitReady: { timeoutMs: 2000, pollMs: 10 },
  });

  it("a dry run rejects an object the schema refuses, and stores nothing", async () => {
    const plan = makePlan({
      id: "plan-bad",
      jobId: "job-1",
      operation: "shift",
      steps: [{ action: "create", object: VS, after: virtualService("fifty") }],
      summary: "bad",
    });
    await expect(dryRunPlan(client, plan)).rejects.toMatchObject({ code: "invalid" });
    expect(await client.get(VS)).toBeUndefined();
  });

  it("creates, then patches conditionally with one write and no read when the patch is the first step, journaling each step", async () => {
    const create = makePlan({
      id: "plan-create",
      jobId: "job-1",
      operation: "shift",
      steps: [{ action: "create", object: VS, after: virtualService(100) }],
      preconditions: [{ ref: VS }],
      summary: "create",
    });
    await dryRunPlan(client, create);
    await runSteps(deps(), create, await checkPreconditions(client, create));
    const current = await client.get<{
      apiVersion: string;
      kind: string;
      metadata: { resourceVersion: string };
    }>(VS);
    const patch = makePlan({
      id: "plan-patch",
      jobId: "job-1",
      operation: "shift",
      steps: [
        { action: "patch", object: VS, patch: { type: "merge", body: { metadata: { labels: { a: "b" } } } } },
      ],
      preconditions: [{ ref: VS, resourceVersion: current?.metadata.resourceVersion as string }],
      summary: "patch",
    });
    kube.resetRequests();
    const results = await runSteps(deps(), patch, await checkPreconditions(client, patch));
    expect(apiCalls(kube)).toEqual(["patch virtualservices/reviews"]);
    expect(results).toEqual([{ step: "patch VirtualService bookinfo/reviews", result: "done" }]);
    expect(journalEntries(store.data()).find((e) => e.planId === "plan-patch")).toMatchObject({
      state: "done",
      steps: ["done"],
      jobId: "job-1",
    });
  });

  it("refuses a plan whose object moved on, and one that would create an object that now exists", async () => {
    const stale = makePlan({
      id: "plan-stale",
      jobId: "job-1",
      operation: "shift",
      steps: [{ action: "patch", object: VS, patch: { type: "merge", body: {} } }],
      preconditions: [{ ref: VS, resourceVersion: "1" }],
      summary: "stale",
    });
    // Its first step is the conditional patch: the API server refuses it, nothing is written, the journal ends.
    kube.resetRequests();
    await expect(runSteps(deps(), stale, await checkPreconditions(client, stale))).rejects.toThrow(
      /^The cluster changed since this plan was made: VirtualService bookinfo\/reviews was changed by someone else/,
    );
    expect(apiCalls(kube)).toEqual(["patch virtualservices/reviews", "get virtualservices/reviews"]);
    expect(journalEntries(store.data()).find((e) => e.planId === "plan-stale")).toMatchObject({
      state: "failed",
      steps: ["started"],
    });
    // A plan whose first write is elsewhere still reads every object it assumes before writing anything.
    const later = makePlan({
      ...stale,
      id: "plan-stale-later",
      steps: [
        {
          action: "create",
          object: { apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name: "reviews-v9" },
          after: {},
        },
        ...stale.steps,
      ],
    });
    await expect(checkPreconditions(client, later)).rejects.toMatchObject({ code: "stale-plan" });
    const exists = makePlan({ ...stale, id: "plan-exists", preconditions: [{ ref: VS }] });
    await expect(checkPreconditions(client, exists)).rejects.toThrow(
      /was created by someone else, though the plan creates it/,
    );
  });

  it("reads nothing before a first write that checks itself: a create, or a patch after a wait for readiness", async () => {
    if (!(await client.get(VS))) await client.create(virtualService(100));
    const exists = makePlan({
      id: "plan-create-exists",
      jobId: "job-1",
      operation: "prepare",
      steps: [
        {
          action: "create",
          object: VS,
          after: {
            apiVersion: VS.apiVersion,
            kind: VS.kind,
            metadata: { name: VS.name, namespace: VS.namespace },
            spec: { hosts: ["reviews"] },
          },
        },
      ],
      preconditions: [{ ref: VS }],
      summary: "create what exists",
    });
    kube.resetRequests();
    await expect(runSteps(deps(), exists, await checkPreconditions(client, exists))).rejects.toThrow(
      /was created by someone else, though the plan creates it/,
    );
    // The create is refused (the object exists), then read once to say why.
    expect(apiCalls(kube)).toEqual(["create virtualservices", "get virtualservices/reviews"]);
    const v1 = { apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name: "reviews-v1" };
    const waited = makePlan({
      id: "plan-wait-then-patch",
      jobId: "job-1",
      operation: "shift",
      steps: [
        { action: "wait-ready", object: v1 },
        { action: "patch", object: VS, patch: { type: "merge", body: {} } },
      ],
      preconditions: [{ ref: VS, resourceVersion: "1" }],
      summary: "wait, then a stale patch",
    });
    kube.resetRequests();
    await expect(runSteps(deps(), waited, await checkPreconditions(client, waited))).rejects.toMatchObject({
      code: "stale-plan",
    });
    expect(apiCalls(kube)).toEqual([
      "get deployments/reviews-v1",
      "patch virtualservices/reviews",
      "get virtualservices/reviews",
    ]);
  });

  it("a write conditioned on an old version is refused by the API server with a conflict", async () => {
    const current = await client.get<{
      apiVersion: string;
      kind: string;
      metadata: { resourceVersion: string };
    }>(VS);
    const versions = new Map([
      ["VirtualService.networking.istio.io/bookinfo/reviews", current?.metadata.resourceVersion],
    ]);
    await client.mergePatch(VS, { metadata: { labels: { c: "d" } } });
    const plan = makePlan({
      id: "plan-race",
      jobId: "job-1",
      operation: "shift",
      steps: [
        { action: "patch", object: VS, patch: { type: "merge", body: { metadata: { labels: { e: "f" } } } } },
      ],
      summary: "race",
    });
    await expect(runSteps(deps(), plan, versions)).rejects.toMatchObject({
      code: "conflict",
      retryable: true,
    });
  });
});
