// G2: a canary made in the KubeSphere console is a job for every command, without anyone running /release new.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createFixture } from "../../desk/world.ts";
import { ALICE, approvalMessage, BOB, CHANNEL, startWorld, until, type World } from "./world.ts";

let world: World;

beforeAll(async () => {
  world = await startWorld({ server: { crds: ["kubesphere"] }, reviewsVersions: ["v1", "v2"] });
  await createFixture(world.kube.kubeConfig(), "console-strategy.yaml", "bookinfo");
});
afterAll(async () => {
  await world?.close();
});
beforeEach(() => world.api.reset());

async function answer(text: string): Promise<string> {
  const reply = await world.app.slack.command("/release", text, { user: ALICE });
  expect(reply.ackMs).toBeLessThan(3000);
  const posted = await world.api.waitFor("response_url");
  return `${posted.args.text} ${JSON.stringify(posted.args.blocks ?? [])}`;
}

describe("jobs made in the KubeSphere console (G2)", () => {
  it("are listed, shown and shifted from Slack straight away", async () => {
    expect(world.app.graydesk.deps.desk.jobs()).toHaveLength(0);
    expect(await answer("list bookinfo")).toContain("reviews-console");
    world.api.reset();
    expect(await answer("status reviews-console")).toContain("Release job reviews-console");

    await world.app.slack.command("/release", "shift reviews-console 50", { user: ALICE });
    const request = await until(() => approvalMessage(world.api, CHANNEL));
    expect(JSON.stringify(request.blocks)).toContain("reviews-console");
    await world.app.slack.clickButton(request, "approval_approve", { user: BOB });
    await until(() =>
      JSON.stringify(world.api.message(CHANNEL, request.ts)?.blocks).includes("Applied") ? true : undefined,
    );
    // Taken in once, however many commands looked.
    expect(world.app.graydesk.deps.desk.jobs("bookinfo").map((j) => j.name)).toEqual(["reviews-console"]);
  });
});
