// A live-card refresh round reads the cluster once per kind and namespace, whatever the number of jobs: every
// card of the round draws from the same lists.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReleaseJob } from "../../../src/release/index.ts";
import type { KubeTestServer } from "../../harness/kube/index.ts";
import {
  ALICE,
  approvalMessage,
  CHANNEL,
  createReviewsJob,
  startWorld,
  until,
  type World,
} from "../desk/world.ts";

let world: World;
let job: ReleaseJob;

beforeAll(async () => {
  world = await startWorld();
  job = await createReviewsJob(world, "reviews-v2");
}, 60_000);
afterAll(async () => {
  await world?.close();
});

/** Copies of the real job, so a round has `total` live jobs on the same Service. */
async function haveJobs(total: number): Promise<void> {
  await world.app.graydesk.store.update((d) => {
    for (let i = 1; i < total; i++) {
      const id = `${job.id}-copy-${i}`;
      d.jobs[id] = { ...(d.jobs[job.id] as object), id, name: `reviews-copy-${i}` };
    }
  });
}

/** Requests to the Kubernetes API (discovery and "may I?" reviews aside), counted by verb and resource. */
function requests(kube: KubeTestServer): Record<string, number> {
  const counted: Record<string, number> = {};
  for (const r of kube.requests) {
    if (!r.resource || r.resource === "selfsubjectaccessreviews") continue;
    const key = `${r.verb} ${r.resource}`;
    counted[key] = (counted[key] ?? 0) + 1;
  }
  return counted;
}

async function round(total: number) {
  await haveJobs(total);
  world.kube.resetRequests();
  const summary = await world.app.graydesk.refresher.refreshNow();
  return { summary, requests: requests(world.kube) };
}

describe("a live-card refresh round", () => {
  it("makes the same Kubernetes requests for 10 jobs as for 200, each kind listed once", async () => {
    const ten = await round(10);
    const twoHundred = await round(200);
    expect(ten.summary.jobs).toBe(10);
    expect(twoHundred.summary.jobs).toBe(200);
    expect(ten.summary.failed).toBe(0);
    expect(twoHundred.summary.failed).toBe(0);
    expect(twoHundred.requests).toEqual(ten.requests);
    // One namespace: each kind read once, by a list, never object by object.
    expect(Object.keys(ten.requests).length).toBeGreaterThan(0);
    expect(Object.values(ten.requests).every((n) => n === 1)).toBe(true);
    expect(Object.keys(ten.requests).every((key) => key.startsWith("list "))).toBe(true);
  }, 120_000);

  it("lists a job's pending requests on its card, from one scan of the requests for the whole round", async () => {
    await world.app.slack.command("/release", "config namespace bookinfo", { user: ALICE });
    await world.api.waitFor("response_url");
    const before = approvalMessage(world.api)?.ts;
    await world.app.slack.command("/release", `shift ${job.name} 30`, { user: ALICE });
    await until(() => {
      const m = approvalMessage(world.api);
      return m && m.ts !== before ? m : undefined;
    });
    // The card's own redraw for the new request is done before the round begins; the round would find the card
    // as it draws it and leave it, so the refresher is told the card shows something else and draws it itself.
    await until(() => world.app.graydesk.deps.inFlight.size === 0);
    const at = world.app.graydesk.deps.cards.where(job.id);
    expect(at?.channel).toBe(CHANNEL);
    world.app.graydesk.refresher.drawnElsewhere(job.id, {
      channel: CHANNEL,
      ts: String(at?.ts),
      text: "older",
    });
    const mark = world.api.calls.length;
    const summary = await world.app.graydesk.refresher.refreshNow();
    expect(summary.failed).toBe(0);
    expect(summary.updated).toBe(1);
    const drawn = world.api.calls
      .slice(mark)
      .filter((c) => c.method === "chat.update" && c.args.ts === at?.ts)
      .map((c) => JSON.stringify(c.args.blocks));
    expect(drawn.length).toBeGreaterThan(0);
    for (const blocks of drawn) expect(blocks).toContain(`asked by <@${ALICE.id}>`);
  }, 120_000);
});
