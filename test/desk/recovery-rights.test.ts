// Start-up recovery finishes an interrupted plan only while the people behind it still hold the rights under
// today's policy. A crash mid-apply, then a restart under a policy that took a right away: nothing more of the
// plan is applied, what it wrote is put back, and the plan, its request, the job and the trail name the right.
import { CustomObjectsApi } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import { Authorizer, Permissions, parsePolicy } from "../../src/approvals/index.ts";
import type { ReleaseJob } from "../../src/release/index.ts";
import { recoveryCheck } from "../../src/slack/approvals/index.ts";
import { openFileStore } from "../../src/store/index.ts";
import { createFixture, NS, reviewsCanary, startWorld, type World } from "./world.ts";

class SimulatedCrash extends Error {}

const twenty = { kind: "shift" as const, traffic: { kind: "weights" as const, weights: { v1: 80, v2: 20 } } };

/** Today's policy: Alice may still ask, Bob no longer approves (Dave does). */
function checkUnder(yaml: string) {
  const parsed = parsePolicy(yaml);
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  return recoveryCheck(new Authorizer(parsed.policy, new Permissions(async () => []), async () => ({})));
}

const BOB_GONE = `namespaces:
  bookinfo:
    requesters: { users: [U0ALICE] }
    approvers: { users: [U0DAVE] }
`;
const ALICE_GONE = `namespaces:
  bookinfo:
    requesters: { users: [U0CAROL] }
    approvers: { users: [U0BOB] }
`;

async function crashWorld(): Promise<{ world: World; crashAfter: (index: number | undefined) => void }> {
  let crashAt: number | undefined;
  const world = await startWorld({
    desk: {
      afterStep: (index) => {
        if (index === crashAt) throw new SimulatedCrash(`crash after step ${index}`);
      },
    },
  });
  await createFixture(world.kc, "reviews-virtualservice.yaml");
  return {
    world,
    crashAfter: (index) => {
      crashAt = index;
    },
  };
}

async function weights(world: World): Promise<unknown> {
  const vs = (await world.kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
    group: "networking.istio.io",
    version: "v1",
    namespace: NS,
    plural: "virtualservices",
    name: "reviews",
  })) as { spec: { http: unknown[] } };
  return vs.spec.http;
}

describe("recovery asks whether the people behind a plan still hold its rights", () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it("a traffic change whose approver lost the approve right is not finished: routes put back, all say why", async () => {
    const setup = await crashWorld();
    world = setup.world;
    let job = await world.desk.createJob(reviewsCanary(), "U0ALICE");
    job = await world.desk.waitDeployed(job.id);
    const routes = await weights(world);
    const plan = await world.desk.planChange(job.id, twenty, "U0ALICE");
    // Bob's approval, as the gate records it.
    await world.store.update((d) => {
      d.approvals.r1 = {
        id: "r1",
        jobId: job.id,
        planId: plan.id,
        requestedBy: "U0ALICE",
        approvals: [{ user: "U0BOB", at: new Date().toISOString() }],
        state: "approved",
      };
    });
    setup.crashAfter(0);
    await expect(world.desk.applyPlan(plan.id, "U0BOB")).rejects.toThrow(/interrupted after step/);

    const desk = await world.restart();
    await desk.recover(checkUnder(BOB_GONE));
    const after = desk.job(job.id) as ReleaseJob;
    expect(after.state).toBe("ready");
    expect(after.traffic).toEqual(job.traffic);
    expect(await weights(world)).toEqual(routes);
    const why = "U0BOB, who approved it, no longer holds the right it needs: they need the *approve* right";
    expect(after.history.at(-1)).toMatchObject({ kind: "recovery-refused" });
    expect(after.history.at(-1)?.detail).toContain(why);
    expect(desk.plan(plan.id)).toBeDefined();
    // What the restarted process stored (the first one's copy is from before the restart).
    const reader = await openFileStore(world.dir);
    const stored = reader.data();
    await reader.close();
    expect(stored.plans[plan.id]).toMatchObject({ status: "failed" });
    expect(String(stored.plans[plan.id]?.error)).toContain(why);
    expect(stored.approvals.r1).toMatchObject({ state: "failed" });
    expect(String(stored.approvals.r1?.outcome)).toContain(why);
    const refused = (await world.audit.readAll()).filter((r) => r.kind === "plan.recovery-refused");
    expect(refused).toHaveLength(1);
    expect(String(refused[0]?.detail?.reason)).toContain(why);
  });

  it("a new version whose creator lost the request right is undone, not deployed", async () => {
    const setup = await crashWorld();
    world = setup.world;
    const routes = await weights(world);
    setup.crashAfter(0);
    await expect(world.desk.createJob(reviewsCanary(), "U0ALICE")).rejects.toThrow(/interrupted after step/);
    const [job] = world.desk.jobs(NS);

    const desk = await world.restart();
    await desk.recover(checkUnder(ALICE_GONE));
    const after = desk.job(job?.id ?? "") as ReleaseJob;
    expect(after.state).toBe("abandoned");
    const why =
      "U0ALICE, who asked for it, no longer holds the right it needs: they need the *request* right";
    expect(after.history.find((e) => e.kind === "fail")?.detail).toContain(why);
    expect(await weights(world)).toEqual(routes);
    const names = (await world.cluster.list("apps/v1", "Deployment", NS)).items.map((d) => d.metadata?.name);
    expect(names).not.toContain("reviews-v2");
    expect((await world.audit.readAll()).some((r) => r.kind === "plan.recovery-refused")).toBe(true);
  });

  it("a step a schedule applied by itself is judged by who set and who approved the schedule", async () => {
    const setup = await crashWorld();
    world = setup.world;
    let job = await world.desk.createJob(reviewsCanary(), "U0ALICE");
    job = await world.desk.waitDeployed(job.id);
    const routes = await weights(world);
    await world.store.update((d) => {
      d.steps[job.id] = {
        id: job.id,
        jobId: job.id,
        percents: [20, 100],
        everyMinutes: 5,
        next: 1,
        dueAt: new Date().toISOString(),
        setBy: "U0ALICE",
        approval: { state: "approved", hash: "h", by: "U0BOB" },
      };
    });
    const plan = await world.desk.planChange(job.id, twenty, "graydesk-steps");
    setup.crashAfter(0);
    await expect(world.desk.applyPlan(plan.id, "graydesk-steps")).rejects.toThrow(/interrupted after step/);

    const desk = await world.restart();
    await desk.recover(checkUnder(BOB_GONE));
    expect(desk.job(job.id)?.state).toBe("ready");
    expect(await weights(world)).toEqual(routes);
    expect(desk.job(job.id)?.history.at(-1)?.detail).toContain(
      "U0BOB, who approved it, no longer holds the right it needs: they need the *approve* right",
    );
  });

  it("with the rights still held, the same crash is finished as before", async () => {
    const setup = await crashWorld();
    world = setup.world;
    let job = await world.desk.createJob(reviewsCanary(), "U0ALICE");
    job = await world.desk.waitDeployed(job.id);
    const plan = await world.desk.planChange(job.id, twenty, "U0ALICE");
    setup.crashAfter(0);
    await expect(world.desk.applyPlan(plan.id, "U0BOB")).rejects.toThrow(/interrupted after step/);
    const desk = await world.restart();
    await desk.recover(checkUnder(BOB_GONE));
    expect(desk.job(job.id)?.state).toBe("active");
    expect(desk.job(job.id)?.traffic).toEqual(twenty.traffic);
  });
});
