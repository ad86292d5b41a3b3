import { CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ApprovalGate } from "../../src/approvals/index.ts";
import {
  MAX_RECORD_BYTES,
  openKubeStore,
  openStore,
  readStateDir,
  recordName,
  type Store,
  StoreError,
} from "../../src/store/index.ts";
import { type KubeTestServer, startKubeServer } from "../harness/kube/index.ts";
import { tempDir } from "../harness/temp-dir.ts";

/** vi.waitFor with room for a loaded machine (its default gives up after 1 s). */
const waitFor = <T>(check: () => T | Promise<T>, options: { timeout?: number; interval?: number } = {}) =>
  vi.waitFor(check, { timeout: 15_000, interval: 20, ...options });

let server: KubeTestServer;
const opened: Store[] = [];
let prefixes = 0;

beforeAll(async () => {
  server = await startKubeServer({ crds: [] });
});
afterAll(async () => {
  for (const store of opened) await store.close();
  await server.close();
});

/** Two replicas: separate KubeConfigs, so separate clients and connections, over the same state. */
async function replicas(count = 2): Promise<Store[]> {
  const name = `state-${++prefixes}`;
  const stores: Store[] = [];
  for (let i = 0; i < count; i++) {
    const store = await openKubeStore(server.kubeConfig(), {
      namespace: "default",
      name,
      rewatchDelayMs: 50,
    });
    opened.push(store);
    stores.push(store);
  }
  return stores;
}

describe("Kubernetes store", () => {
  it("keeps each record in its own labelled ConfigMap and another replica sees it through its watch", async () => {
    const [a, b] = (await replicas()) as [Store, Store];
    await a.update((d) => {
      d.jobs.j1 = { id: "j1", name: "reviews-canary" };
    });
    expect(a.data().jobs.j1).toEqual({ id: "j1", name: "reviews-canary" });
    await waitFor(() => expect(b.data().jobs.j1).toEqual({ id: "j1", name: "reviews-canary" }));

    const core = server.kubeConfig().makeApiClient(CoreV1Api);
    const cm = await core.readNamespacedConfigMap({
      name: recordName(`state-${prefixes}`, "jobs", "j1"),
      namespace: "default",
    });
    expect(cm.metadata?.labels).toMatchObject({
      "app.kubernetes.io/managed-by": "graydesk",
      "graydesk.io/collection": "jobs",
    });
    expect(JSON.parse(cm.data?.["record.json"] ?? "{}")).toEqual({ id: "j1", name: "reviews-canary" });
  });

  it("without the right to watch, asks first and re-lists instead: no refused watch, changes still seen", async () => {
    server.setUser("no-watch", {
      name: "no-watch",
      rules: [
        { verbs: ["get", "list", "create", "update", "delete"], apiGroups: [""], resources: ["configmaps"] },
      ],
    });
    const name = `state-${++prefixes}`;
    const writer = await openKubeStore(server.kubeConfig(), {
      namespace: "default",
      name,
      rewatchDelayMs: 50,
    });
    server.resetRequests();
    const reader = await openKubeStore(server.kubeConfig("no-watch"), {
      namespace: "default",
      name,
      rewatchDelayMs: 50,
    });
    await writer.update((d) => {
      d.jobs.j9 = { id: "j9", name: "reviews-canary" };
    });
    await waitFor(() => expect(reader.data().jobs.j9).toEqual({ id: "j9", name: "reviews-canary" }));
    const readers = server.requests.filter((r) => r.user === "no-watch");
    // Closed here: a store that re-lists on a timer would otherwise take the list faults later tests inject.
    await reader.close();
    await writer.close();
    expect(readers.some((r) => r.resource === "selfsubjectaccessreviews")).toBe(true);
    expect(readers.filter((r) => r.verb === "watch" || r.status === 403)).toEqual([]);
  });

  it("a record deleted through one replica disappears from the other", async () => {
    const [a, b] = (await replicas()) as [Store, Store];
    await a.update((d) => {
      d.channels.C1 = { id: "C1", namespace: "bookinfo" };
    });
    await waitFor(() => expect(b.data().channels.C1).toBeDefined());
    await b.update((d) => {
      delete d.channels.C1;
    });
    expect(b.data().channels.C1).toBeUndefined();
    await waitFor(() => expect(a.data().channels.C1).toBeUndefined());
  });

  it("20 concurrent approval decisions split across two replicas: exactly one applies", async () => {
    const [a, b] = (await replicas()) as [Store, Store];
    const gateA = new ApprovalGate(a);
    const gateB = new ApprovalGate(b);
    const request = await gateA.open({
      jobId: "job-1",
      jobName: "reviews-canary",
      namespace: "bookinfo",
      operation: "shift",
      planId: "plan-1",
      planHash: "h",
      summary: "reviews: v1 90 → 50, v2 10 → 50",
      requestedBy: "U0",
      requiredApprovals: 1,
      expiryMinutes: 30,
    });
    await waitFor(() => expect(gateB.get(request.id)).toBeDefined());
    const decisions = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? gateA : gateB).decide(request.id, `U${i + 1}`, "approve"),
      ),
    );
    expect(decisions.filter((d) => d.kind === "apply")).toHaveLength(1);
    expect(decisions.filter((d) => d.kind === "already")).toHaveLength(19);
    const winner = decisions.find((d) => d.kind === "apply");
    await waitFor(() => expect(gateB.get(request.id)?.state).toBe("approved"));
    expect(gateA.get(request.id)?.decidedBy).toBe(winner?.kind === "apply" ? winner.request.decidedBy : "");
  });

  it("reopening reads the state back from the cluster", async () => {
    const [a] = (await replicas(1)) as [Store];
    await a.update((d) => {
      d.schedules.C9 = { id: "C9", cron: "0 9 * * 1-5", timezone: "Europe/Berlin" };
    });
    const again = await openKubeStore(server.kubeConfig(), {
      namespace: "default",
      name: `state-${prefixes}`,
    });
    opened.push(again);
    expect(again.data().schedules.C9).toEqual({ id: "C9", cron: "0 9 * * 1-5", timezone: "Europe/Berlin" });
  });

  it("a conflict answered by the API server is retried on fresh data", async () => {
    const [a] = (await replicas(1)) as [Store];
    await a.update((d) => {
      d.jobs.j2 = { id: "j2", count: 1 };
    });
    server.faults.add({ verb: "update", resource: "configmaps", kind: "status", status: 409, times: 2 });
    let runs = 0;
    await a.update((d) => {
      runs++;
      (d.jobs.j2 as unknown as { count: number }).count += 1;
    });
    expect(runs).toBe(3);
    expect(a.data().jobs.j2).toEqual({ id: "j2", count: 2 });
  });

  it("a record larger than a ConfigMap can hold is refused and nothing changes", async () => {
    const [a] = (await replicas(1)) as [Store];
    const big = "x".repeat(MAX_RECORD_BYTES + 10);
    const failure = a.update((d) => {
      d.plans.p1 = { id: "p1", yaml: big };
    });
    await expect(failure).rejects.toBeInstanceOf(StoreError);
    await expect(failure).rejects.toThrow(
      /plans record p1 is \d+ bytes; a Kubernetes ConfigMap holds at most 1 MiB/,
    );
    expect(a.data().plans.p1).toBeUndefined();
  });

  it("an API server error becomes a StoreError naming the namespace and leaves the cache as it was", async () => {
    const [a] = (await replicas(1)) as [Store];
    server.faults.add({ verb: "create", resource: "configmaps", kind: "status", status: 500 });
    const failure = a.update((d) => {
      d.jobs.j3 = { id: "j3" };
    });
    await expect(failure).rejects.toThrow(
      /cannot save state to namespace default: the API server answered 500/,
    );
    expect(a.data().jobs.j3).toBeUndefined();
    await a.update((d) => {
      d.jobs.j3 = { id: "j3" };
    });
    expect(a.data().jobs.j3).toEqual({ id: "j3" });
  });

  it("gives up with a clear error when every attempt conflicts", async () => {
    const store = await openKubeStore(server.kubeConfig(), {
      namespace: "default",
      name: "state-busy",
      attempts: 3,
    });
    opened.push(store);
    server.faults.add({ verb: "create", resource: "configmaps", kind: "status", status: 409, times: 3 });
    await expect(
      store.update((d) => {
        d.jobs.j4 = { id: "j4" };
      }),
    ).rejects.toThrow(/kept changing under this update \(3 conflicts\)/);
  });

  it("cannot start when the state cannot be listed, and says where it looked", async () => {
    server.faults.add({ verb: "list", resource: "configmaps", kind: "status", status: 403 });
    await expect(openKubeStore(server.kubeConfig(), { namespace: "default" })).rejects.toThrow(
      /cannot list the state ConfigMaps in namespace default: the API server answered 403/,
    );
  });

  it("refuses updates after close", async () => {
    const store = await openKubeStore(server.kubeConfig(), { namespace: "default", name: "state-closed" });
    await store.close();
    await expect(store.update(() => undefined)).rejects.toThrow(/closed/);
  });
});

describe("openStore", () => {
  it("opens the lowdb file store for STORE=lowdb", async () => {
    const dataDir = tempDir("graydesk-open-");
    const store = await openStore({ store: "lowdb", dataDir }, server.kubeConfig());
    opened.push(store);
    await store.update((d) => {
      d.jobs.x = { id: "x" };
    });
    expect(readStateDir(dataDir).jobs.x).toEqual({ id: "x" });
  });

  it("opens the Kubernetes store in the context's namespace for STORE=kubernetes", async () => {
    const store = await openStore({ store: "kubernetes", dataDir: "/nonexistent" }, server.kubeConfig());
    opened.push(store);
    await store.update((d) => {
      d.channels.C77 = { id: "C77" };
    });
    const core = server.kubeConfig().makeApiClient(CoreV1Api);
    const cm = await core.readNamespacedConfigMap({
      name: recordName("graydesk-state", "channels", "C77"),
      namespace: "default",
    });
    expect(cm.metadata?.annotations?.["graydesk.io/record-id"]).toBe("C77");
  });
});
