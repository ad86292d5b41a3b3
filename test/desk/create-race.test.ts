// The new version's Deployment is not read before its create (the namespace's Deployments were just listed): a
// name already taken is refused from that list, and one taken between the list and the create fails that create,
// which undoes the job's routes and leaves the other Deployment alone.
import { afterEach, describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/cluster/index.ts";
import { apiCalls, NS, reviewsCanary, startWorld, type World } from "./world.ts";

const ref = (kind: string, name = "reviews") => ({
  apiVersion: kind === "Deployment" ? "apps/v1" : "networking.istio.io/v1",
  kind,
  namespace: NS,
  name,
});

/** A Deployment called reviews-v2 made by someone else, with the labels given (a copy of reviews-v1's pods). */
async function othersDeployment(world: World, labels: Record<string, string>): Promise<void> {
  const stable = (await world.cluster.get<KubeObject>(ref("Deployment", "reviews-v1"))) as KubeObject;
  const template = stable.spec?.template as Record<string, unknown>;
  await world.cluster.create({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "reviews-v2", namespace: NS, labels: { ...labels, owner: "someone-else" } },
    spec: { replicas: 1, selector: { matchLabels: labels }, template: { ...template, metadata: { labels } } },
  });
}

describe("creating a job whose Deployment name is taken", () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it("refuses a name taken by a Deployment that is no version of the service, before writing anything", async () => {
    world = await startWorld();
    await othersDeployment(world, { app: "ratings-tools", version: "v2" });
    world.kube.resetRequests();
    const error = await world.desk.createJob(reviewsCanary(), "U1").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "invalid-field" });
    expect((error as { fields: unknown }).fields).toEqual([
      {
        field: "version",
        message:
          "A Deployment called reviews-v2 already exists in bookinfo: choose another version name, or remove that Deployment.",
      },
    ]);
    expect(
      apiCalls(world.kube).filter((call) => !call.startsWith("get ") && !call.startsWith("list ")),
    ).toEqual([]);
  });

  it("one created between the creation's reads and its create: the job's routes are put back, theirs stays", async () => {
    let race: (() => Promise<void>) | undefined;
    world = await startWorld({
      desk: {
        // Right after the routes are written, someone else creates the Deployment the job was about to create.
        afterStep: async (_index, step) => {
          if (step.object.kind !== "VirtualService" || !race) return;
          const once = race;
          race = undefined;
          await once();
        },
      },
    });
    const w = world;
    race = () => othersDeployment(w, { app: "reviews", version: "v2" });
    w.kube.resetRequests();
    const error = await w.desk.createJob(reviewsCanary(), "U1").catch((e: unknown) => e);

    expect(error).toMatchObject({ code: "conflict", retryable: false });
    expect((error as Error).message).toBe(
      "The release job was not created: Deployment bookinfo/reviews-v2 was created by someone else while Graydesk was creating the job. What Graydesk had written for the job was put back as it was; that Deployment was left alone. Choose another version name, or remove it, and try again.",
    );
    // No read of the Deployment before its create: the create itself found it taken.
    const calls = apiCalls(w.kube);
    expect(calls.indexOf("create deployments")).toBeGreaterThan(-1);
    expect(calls.slice(0, calls.indexOf("create deployments"))).not.toContain("get deployments/reviews-v2");
    // The routes the job created are gone again; the other Deployment is untouched.
    expect(await w.cluster.get(ref("VirtualService"))).toBeUndefined();
    expect(await w.cluster.get(ref("DestinationRule"))).toBeUndefined();
    const theirs = await w.cluster.get<KubeObject>(ref("Deployment", "reviews-v2"));
    expect(theirs?.metadata.labels?.owner).toBe("someone-else");
    expect(calls).not.toContain("delete deployments/reviews-v2");
    // The job is closed as undone, in a state nothing needs to finish.
    const [job] = w.desk.jobs(NS);
    expect(job?.state).toBe("abandoned");
  });
});
