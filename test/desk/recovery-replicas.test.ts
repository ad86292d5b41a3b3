// Replicas sharing their state (STORE=kubernetes): an apply one replica has under way is left to it while it
// renews its word on the journal, and another replica takes it over (and finishes it) once that word is stale.
// Two desks over one store stand in for two replicas over one set of ConfigMaps.
import { afterEach, describe, expect, it } from "vitest";
import { ClusterClient, type JournalEntry } from "../../src/cluster/index.ts";
import { createReleaseDesk, type RunningReleaseDesk } from "../../src/desk/index.ts";
import { createLogger } from "../../src/log.ts";
import type { ReleaseJob } from "../../src/release/index.ts";
import { createFixture, reviewsCanary, startWorld, type World } from "./world.ts";

class SimulatedCrash extends Error {}

const twenty = { kind: "shift" as const, traffic: { kind: "weights" as const, weights: { v1: 80, v2: 20 } } };
const STALE_MS = 10_000;

describe("an apply interrupted on one replica, with state shared by replicas", () => {
  let world: World | undefined;
  let other: RunningReleaseDesk | undefined;
  afterEach(async () => {
    await other?.close();
    other = undefined;
    await world?.close();
    world = undefined;
  });

  /**
   * Replica A's apply of a first shift stopped after its readiness check (the journal says so, in A's name), and
   * replica B over the same store. Each has its own clock, moved by the test; the timers never run (a minute
   * apart, unref'd).
   */
  async function interruptedOnA() {
    let crash = false;
    const clocks = { a: Date.now(), b: Date.now() };
    world = await startWorld({
      desk: {
        identity: "replica-a",
        replicas: { heartbeatMs: 60_000, staleMs: STALE_MS },
        clock: () => new Date(clocks.a),
        afterStep: () => {
          if (crash) throw new SimulatedCrash("stopped after the readiness check");
        },
      },
    });
    const shared = world;
    await createFixture(shared.kc, "reviews-virtualservice.yaml");
    const a = shared.desk;
    let job = await a.createJob(reviewsCanary(), "U1");
    job = await a.waitDeployed(job.id);
    const plan = await a.planChange(job.id, twenty, "U1");
    expect(plan.steps.map((s) => s.action)).toEqual(["wait-ready", "patch"]);
    crash = true;
    await expect(a.applyPlan(plan.id, "U2")).rejects.toThrow(/interrupted after step 0/);
    const entry = () => shared.store.data().journal[plan.id] as unknown as JournalEntry;
    expect(entry()).toMatchObject({ state: "running", owner: "replica-a", steps: ["done"] });
    other = createReleaseDesk({
      cluster: new ClusterClient(shared.kc),
      store: shared.store,
      audit: shared.audit,
      clock: () => new Date(clocks.b),
      logger: createLogger("silent"),
      pollMs: 15,
      waitReadyTimeoutMs: 3000,
      identity: "replica-b",
      replicas: { heartbeatMs: 60_000, staleMs: STALE_MS },
    });
    const b = other;
    const untouched = async () => {
      expect(entry()).toMatchObject({ state: "running", owner: "replica-a", steps: ["done"] });
      expect(b.job(job.id)?.state).toBe("ready");
      expect((await b.status(job.id)).configured).toEqual(job.traffic);
    };
    return { world: shared, a, b, job, plan, entry, clocks, untouched };
  }

  it("is left to its replica while that one renews its word, and finished by another once the word is stale", async () => {
    const { world, a, b, job, plan, entry, clocks, untouched } = await interruptedOnA();
    // B starts while A's word is fresh: its start-up recovery leaves A's apply alone, and so does its sweep.
    clocks.b = clocks.a + 1_000;
    await b.recover();
    await b.tendJournal();
    await untouched();
    // A renews its word; B, past the first word's staleness but not the renewed one's, still leaves it.
    clocks.a += 8_000;
    await a.tendJournal();
    expect(entry().heartbeatAt).toBe(new Date(clocks.a).toISOString());
    clocks.b = clocks.a + STALE_MS - 1_000;
    await b.tendJournal();
    await untouched();
    // A has gone quiet (crashed, or stopped mid-apply): B takes the apply over and finishes it, once.
    clocks.b = clocks.a + STALE_MS + 1_000;
    await b.tendJournal();
    expect(entry()).toMatchObject({ state: "done", owner: "replica-b" });
    const finished = b.job(job.id) as ReleaseJob;
    expect(finished.state).toBe("active");
    expect(finished.traffic).toEqual(twenty.traffic);
    expect((await b.status(job.id)).configured).toEqual(twenty.traffic);
    const recovered = (await world.audit.readAll()).filter((r) => r.kind === "plan.recovered");
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toMatchObject({ detail: { plan: plan.id, outcome: "completed" } });
    // Nothing is left: another sweep, from either replica, changes nothing.
    await b.tendJournal();
    await a.tendJournal();
    expect((await world.audit.readAll()).filter((r) => r.kind === "plan.recovered")).toHaveLength(1);
  });

  it("takes nothing over before start-up recovery ran, and judges what it takes over with start-up's check", async () => {
    const { world, b, job, plan, entry, clocks, untouched } = await interruptedOnA();
    // A's word is stale, but B has not run its start-up recovery yet: its sweep only renews its own word.
    clocks.b = clocks.a + STALE_MS + 1_000;
    await b.tendJournal();
    await untouched();
    // Start-up recovery with the policy's check, while A's word was still fresh (B's clock back then)…
    clocks.b = clocks.a + 1_000;
    const judged: string[] = [];
    await b.recover(async (recovered) => {
      judged.push(recovered.requestedBy);
      return { ok: false, message: "U2 may no longer approve changes in bookinfo" };
    });
    await untouched();
    expect(judged).toEqual([]);
    // …then the sweep that takes A's apply over judges it the same way: refused, nothing more is applied.
    clocks.b = clocks.a + STALE_MS + 1_000;
    await b.tendJournal();
    expect(judged).toEqual(["U1"]);
    expect(entry()).toMatchObject({ state: "failed", owner: "replica-b" });
    expect((await b.status(job.id)).configured).toEqual(job.traffic);
    const refused = (await world.audit.readAll()).filter((r) => r.kind === "plan.recovery-refused");
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({
      detail: { plan: plan.id, reason: "U2 may no longer approve changes in bookinfo" },
    });
  });

  it("a replica whose apply was taken over stops at its next step instead of writing beside the new owner", async () => {
    let taken = false;
    let planId = "";
    let aNow = Date.now();
    world = await startWorld({
      desk: {
        identity: "replica-a",
        replicas: { heartbeatMs: 60_000, staleMs: STALE_MS },
        clock: () => new Date(aNow),
        // Between the readiness check and the patch, replica B decides A's word is stale and takes over.
        afterStep: async (index) => {
          if (index !== 0 || taken || !world || !planId) return;
          taken = true;
          await world.store.update((draft) => {
            Object.assign(draft.journal[planId] as object, {
              owner: "replica-b",
              heartbeatAt: new Date(aNow + STALE_MS).toISOString(),
            });
          });
        },
      },
    });
    await createFixture(world.kc, "reviews-virtualservice.yaml");
    let job = await world.desk.createJob(reviewsCanary(), "U1");
    job = await world.desk.waitDeployed(job.id);
    const plan = await world.desk.planChange(job.id, twenty, "U1");
    planId = plan.id;
    aNow += 1_000;
    await expect(world.desk.applyPlan(plan.id, "U2")).rejects.toThrow(/interrupted after step 0/);
    // A wrote nothing after the readiness check: the routes are as they were, the journal is B's to finish.
    expect((await world.desk.status(job.id)).configured).toEqual(job.traffic);
    expect(world.store.data().journal[plan.id]).toMatchObject({ state: "running", owner: "replica-b" });
  });

  it("an approved request not yet started is left to the replica deciding it, and refused once that is stale", async () => {
    let now = Date.now();
    world = await startWorld({
      desk: {
        identity: "replica-b",
        replicas: { heartbeatMs: 60_000, staleMs: STALE_MS },
        clock: () => new Date(now),
      },
    });
    // Replica A has just completed the approvals; its plan has not moved to applying yet.
    const decidedAt = new Date(now).toISOString();
    await world.store.update((draft) => {
      draft.approvals["req-a"] = {
        id: "req-a",
        planId: "plan-not-started",
        state: "approved",
        decidedAt,
        approvals: [{ user: "U2", at: decidedAt }],
      } as never;
    });
    const store = world.store;
    const state = () => (store.data().approvals["req-a"] as { state?: string }).state;
    now += 1_000;
    await world.desk.recover();
    await world.desk.tendJournal();
    expect(state()).toBe("approved");
    now += STALE_MS;
    await world.desk.tendJournal();
    expect(state()).toBe("failed");
    expect(world.store.data().approvals["req-a"]).toMatchObject({
      outcome: "interrupted by a restart before anything was applied; nothing changed, ask again",
    });
  });
});
