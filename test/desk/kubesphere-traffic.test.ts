// The KubeSphere router down to traffic: Graydesk writes the Strategy, a stand-in for KubeSphere's
// virtualservice controller turns it into the VirtualService, and the mesh simulator routes requests by it.
import { CustomObjectsApi, Watch } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReleaseJob } from "../../src/release/index.ts";
import { share } from "../harness/mesh/index.ts";
import { until } from "../slack/desk/world.ts";
import { NS, reviewsCanary, startWorld, type World } from "./world.ts";

let world: World;

beforeAll(async () => {
  world = await startWorld({
    server: { crds: ["istio", "kubesphere"], kubesphereController: true },
    bookinfo: { reviewsVersions: ["v1"], withDestinationRule: true },
  });
});
afterAll(() => world?.close());

async function applied(job: ReleaseJob, change: Parameters<World["desk"]["planChange"]>[1]) {
  const plan = await world.desk.planChange(job.id, change, "U1");
  return (await world.desk.applyPlan(plan.id, "U2")).job;
}

/** The v2 share of 4,000 requests to reviews, once the controller has caught up with `expected`. */
async function v2Share(expected: number): Promise<number> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    await world.mesh.refresh();
    const counts = world.mesh.sendMany(4_000, { service: "reviews", namespace: NS });
    const got = share(counts.byVersion, "v2");
    if (Math.abs(got - expected) < 0.05 || Date.now() > deadline) return got;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("a KubeSphere job, traffic included", () => {
  it("moves requests as the Strategy says: 30 %, then everything once v2 takes over", async () => {
    // Before any job, KubeSphere's controller sends everything to the DestinationRule's first subset.
    expect(await v2Share(0)).toBe(0);
    let job = await world.desk.createJob({ ...reviewsCanary(), router: "kubesphere" }, "U1");
    job = await world.desk.waitDeployed(job.id);
    job = await applied(job, { kind: "shift", traffic: { kind: "weights", weights: { v1: 70, v2: 30 } } });
    expect(await v2Share(0.3)).toBeCloseTo(0.3, 1);

    const objects = world.kc.makeApiClient(CustomObjectsApi);
    const vs = (await objects.getNamespacedCustomObject({
      group: "networking.istio.io",
      version: "v1alpha3",
      namespace: NS,
      plural: "virtualservices",
      name: "reviews",
    })) as { metadata: { labels: Record<string, string> }; spec: { http: { match: { port: number }[] }[] } };
    // Written by the controller, not by Graydesk: the Service's labels, and the route bound to its port.
    expect(vs.metadata.labels.app).toBe("reviews");
    expect(vs.spec.http[0]?.match).toEqual([{ port: 9080 }]);

    await applied(job, { kind: "takeOver", version: "v2" });
    expect(await v2Share(1)).toBe(1);
  });
});

async function v2ShareIn(w: World): Promise<number> {
  await w.mesh.refresh();
  return share(w.mesh.sendMany(500, { service: "reviews", namespace: NS }).byVersion, "v2");
}

describe("taking a KubeSphere job offline", () => {
  let offline: World;
  beforeAll(async () => {
    // KubeSphere's DestinationRule controller too: subsets follow the ready Deployments.
    offline = await startWorld({
      server: { crds: ["istio", "kubesphere"], kubesphereController: "with-destination-rules" },
      bookinfo: { reviewsVersions: ["v1"] },
    });
  });
  afterAll(() => offline?.close());

  it("never hands the traffic back to the version being removed", async () => {
    let job = await offline.desk.createJob({ ...reviewsCanary(), router: "kubesphere" }, "U1");
    job = await offline.desk.waitDeployed(job.id);
    let plan = await offline.desk.planChange(
      job.id,
      { kind: "shift", traffic: { kind: "weights", weights: { v1: 50, v2: 50 } } },
      "U1",
    );
    job = (await offline.desk.applyPlan(plan.id, "U2")).job;
    plan = await offline.desk.planChange(job.id, { kind: "takeOver", version: "v2" }, "U1");
    job = (await offline.desk.applyPlan(plan.id, "U2")).job;
    await until(async () => ((await v2ShareIn(offline)) === 1 ? true : undefined));

    // Every VirtualService KubeSphere writes from here on, as a watch sees them.
    const now = (await offline.kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group: "networking.istio.io",
      version: "v1alpha3",
      namespace: NS,
      plural: "virtualservices",
      name: "reviews",
    })) as { metadata: { resourceVersion: string } };
    const routed: string[][] = [];
    const watch = await new Watch(offline.kc).watch(
      `/apis/networking.istio.io/v1alpha3/namespaces/${NS}/virtualservices`,
      { resourceVersion: now.metadata.resourceVersion },
      (_type, object: { spec?: { http?: { route?: { destination: { subset: string } }[] }[] } }) => {
        routed.push(
          (object.spec?.http ?? []).flatMap((r) => (r.route ?? []).map((d) => d.destination.subset)),
        );
      },
      () => {},
    );
    plan = await offline.desk.planChange(job.id, { kind: "takeOffline", keep: "v2" }, "U1");
    await offline.desk.applyPlan(plan.id, "U2");
    await until(() => (JSON.stringify(routed.at(-1)) === '["v2"]' ? true : undefined));
    watch.abort();
    // v2 took over: from then until the job is gone, KubeSphere never routes to v1 again.
    expect(routed.length).toBeGreaterThan(0);
    for (const subsets of routed) expect(subsets).toEqual(["v2"]);
    await offline.mesh.refresh();
    expect(share(offline.mesh.sendMany(2_000, { service: "reviews", namespace: NS }).byVersion, "v2")).toBe(
      1,
    );
  });
});
