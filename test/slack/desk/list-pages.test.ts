import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredMessage } from "../../harness/slack/index.ts";
import { ALICE, CHANNEL, createReviewsJob, startWorld, type World } from "./world.ts";

let world: World;
const JOBS = 2_500;

beforeAll(async () => {
  world = await startWorld();
  const first = await createReviewsJob(world, "reviews-v2");
  // Far more jobs than one message can hold (the old list stopped near 1,860): copies of the real one.
  await world.app.graydesk.store.update((d) => {
    for (let i = 1; i < JOBS; i++) {
      const id = `${first.id}-copy-${i}`;
      d.jobs[id] = {
        ...(d.jobs[first.id] as object),
        id,
        name: `reviews-copy-${String(i).padStart(4, "0")}`,
      };
    }
  });
}, 60_000);
afterAll(async () => {
  await world?.close();
});

/** The page the last response_url post showed, as a message a button can be pressed on. */
function lastPage(): StoredMessage {
  const posted = world.api.callsTo("response_url").at(-1);
  if (!posted) throw new Error("no page was posted");
  return { ts: "1700000000.000200", channel: CHANNEL, ...posted.args } as unknown as StoredMessage;
}

const jobNames = (page: StoredMessage) =>
  [...JSON.stringify(page.blocks).matchAll(/bookinfo\/(reviews-[\w-]+)\*/g)].map((m) => m[1] as string);

const moreButton = (page: StoredMessage) => JSON.stringify(page.blocks).includes('"job_list_more"');

describe("/release list pages through every job, nothing dropped", () => {
  it(`reaches all ${JOBS} jobs through More, each page within Block Kit's limits`, async () => {
    world.api.reset();
    await world.app.slack.command("/release", "list bookinfo", { user: ALICE });
    await world.api.waitFor("response_url");
    const seen: string[] = [];
    let pages = 1;
    let page = lastPage();
    seen.push(...jobNames(page));
    while (moreButton(page)) {
      const before = world.api.callsTo("response_url").length;
      const reply = await world.app.slack.clickButton(page, "job_list_more", { user: ALICE });
      expect(reply.status).toBe(200);
      await world.api.waitFor("response_url", () => world.api.callsTo("response_url").length > before);
      page = lastPage();
      seen.push(...jobNames(page));
      pages++;
      expect(pages).toBeLessThan(200);
    }
    expect(seen.length).toBe(JOBS);
    expect(new Set(seen).size).toBe(JOBS);
    expect(pages).toBeGreaterThan(1);
    expect(String(page.text)).toContain(`${JOBS} release jobs in namespace bookinfo`);
    expect(world.api.violations).toEqual([]);
    for (const call of world.api.callsTo("response_url")) {
      expect(call.violations ?? []).toEqual([]);
      expect((call.args.blocks as unknown[]).length).toBeLessThanOrEqual(50);
    }
  }, 120_000);

  // Who may press More is the authorization table's row (test/safety); here, a value Graydesk never wrote.
  it("answers a forged cursor in words", async () => {
    world.api.reset();
    await world.app.slack.command("/release", "list bookinfo", { user: ALICE });
    await world.api.waitFor("response_url");
    const page = lastPage();
    const forged = JSON.parse(JSON.stringify(page).replace(/"value":"[^"]+"/, '"value":"not-a-cursor"'));
    await world.app.slack.clickButton(forged, "job_list_more", { user: ALICE });
    const told = await world.api.waitFor("response_url", (c) => JSON.stringify(c.args).includes("not valid"));
    expect(JSON.stringify(told.args)).toContain("That list page is not valid");
  }, 30_000);
});
