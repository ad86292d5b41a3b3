// A service reached through an Istio ingress gateway: the plan says so, and the routes bind to it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFixture, NS, startWorld, type World } from "./world.ts";

describe("ingress gateway", () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
    await createFixture(world.kc, "discovery-extras.yaml");
  });
  afterAll(() => world.close());

  it("notes the gateway in the plan and binds the job's VirtualService to it and to mesh", async () => {
    const [productpage] = (await world.desk.services(NS)).filter((s) => s.name === "productpage");
    expect(productpage?.gateways.map((g) => g.name)).toEqual(["bookinfo-gateway"]);
    let job = await world.desk.createJob(
      {
        name: "productpage-v2",
        namespace: NS,
        app: "bookinfo",
        service: "productpage",
        strategy: "canary",
        newVersion: {
          version: "v2",
          settings: {
            replicas: 1,
            containers: {
              mode: "replace-image",
              images: { productpage: "docker.io/istio/examples-bookinfo-productpage-v1:1.20.4" },
            },
          },
        },
      },
      "U1",
    );
    job = await world.desk.waitDeployed(job.id);
    const plan = await world.desk.planChange(
      job.id,
      { kind: "shift", traffic: { kind: "weights", weights: { v1: 90, v2: 10 } } },
      "U1",
    );
    expect(plan.notes).toContain(
      "productpage is reached through gateway bookinfo/bookinfo-gateway: the routes bind to it and to mesh, because a VirtualService without gateways only splits traffic between sidecars.",
    );
    await world.desk.applyPlan(plan.id, "U2");
    const vs = await world.cluster.get<{
      apiVersion: string;
      kind: string;
      spec: { hosts: string[]; gateways: string[] };
    }>({
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      namespace: NS,
      name: "productpage",
    });
    expect(vs?.spec.gateways).toEqual(["bookinfo/bookinfo-gateway", "mesh"]);
    expect(vs?.spec.hosts).toEqual(["productpage", "bookinfo.example.com"]);
  });
});
