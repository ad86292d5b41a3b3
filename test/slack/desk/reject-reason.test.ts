// Reject opens a dialog for a reason (required for an approver, optional for the requester withdrawing); the
// decision is made on submit with the same checks and compare-and-set as Approve, and the reason is shown on
// the request, in the job's thread and in the audit trail.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { OpenView, SlackActor, StoredMessage } from "../../harness/slack/index.ts";
import { ACK_BOUND_MS } from "../../harness/slack/index.ts";
import {
  ALICE,
  approvalMessage,
  BOB,
  CAROL,
  createReviewsJob,
  DAVE,
  startWorld,
  until,
  virtualServiceWrites,
  type World,
} from "./world.ts";

let world: World;

beforeAll(async () => {
  world = await startWorld();
  await world.app.slack.command("/release", "config namespace bookinfo", { user: ALICE });
  await world.api.waitFor("response_url");
  await createReviewsJob(world, "reviews-reject");
}, 60_000);
afterAll(async () => {
  await world?.close();
});
beforeEach(() => {
  world.api.reset();
  world.kube.resetRequests();
});

async function ask(text: string): Promise<StoredMessage> {
  const before = approvalMessage(world.api)?.ts;
  await world.app.slack.command("/release", text, { user: ALICE });
  return until(() => {
    const m = approvalMessage(world.api);
    return m && m.ts !== before ? m : undefined;
  });
}

const requestIdOf = (message: StoredMessage) =>
  /"value":"([0-9a-f-]{36})"/.exec(JSON.stringify(message.blocks))?.[1] as string;
const gate = () => world.app.graydesk.deps.approvals.gate;
const settle = () => until(() => world.app.graydesk.deps.inFlight.size === 0);
const rejected = async (id: string) =>
  (await world.app.graydesk.audit.readAll()).filter(
    (r) => r.kind === "rejected" && r.detail?.requestId === id,
  );

/** Presses Reject on `surface` and returns the dialog it opened for `user`. */
async function pressReject(surface: StoredMessage | OpenView, user: SlackActor): Promise<OpenView> {
  const before = world.api.views().length;
  const click = await world.app.slack.clickButton(surface, "approval_reject", { user });
  expect(click.ackMs).toBeLessThan(ACK_BOUND_MS);
  return until(() =>
    world.api
      .views()
      .slice(before)
      .find((v) => v.callback_id === "reject_modal"),
  );
}

const submit = (view: OpenView, user: SlackActor, reason: string) =>
  world.app.slack.submitView(view, { reject_reason: { reject_reason_value: reason } }, { user });

describe("Reject asks for a reason", () => {
  it("an approver must give one; it is checked, escaped and shown in the thread, the message and the audit", async () => {
    const request = await ask("shift reviews-reject 30");
    const id = requestIdOf(request);
    const writes = virtualServiceWrites(world.kube);
    const dialog = await pressReject(request, BOB);
    // Pressing Reject decides nothing yet.
    expect(gate().get(id)?.state).toBe("pending");
    expect(JSON.stringify(dialog.blocks)).toContain("Why reject it?");

    const empty = await submit(dialog, BOB, "   ");
    expect(empty.json).toMatchObject({
      response_action: "errors",
      errors: { reject_reason: "Say why you reject it, so the requester knows what to change." },
    });
    // Slack stops a longer one in the field; a forged submission is refused by the same words.
    const long = await submit(dialog, BOB, "x".repeat(501));
    expect(long.json).toMatchObject({
      errors: { reject_reason: "The reason is 501 characters long; keep it to 500." },
    });
    await settle();
    expect(gate().get(id)?.state).toBe("pending");

    const reason = "error rate of v2 is 3 % <!channel> ```` see <http://x|dash>";
    const ok = await submit(dialog, BOB, reason);
    expect(ok.json ?? {}).not.toHaveProperty("response_action");
    const note = await world.api.waitFor("chat.postMessage", (c) =>
      String(c.args.text).includes("<@U0BOB> rejected"),
    );
    await settle();
    const escaped =
      "error rate of v2 is 3 % &lt;!channel&gt; `\u200b`\u200b`\u200b` see &lt;http://x|dash&gt;";
    expect(String(note.args.text)).toContain(`\n>${escaped}`);
    expect(note.args.thread_ts).toBeDefined();
    const redrawn = JSON.stringify(world.api.message(request.channel, request.ts)?.blocks);
    expect(redrawn).toContain("Rejected by <@U0BOB>");
    expect(redrawn).toContain(escaped);
    expect(redrawn).not.toContain("<!channel>");
    const records = await rejected(id);
    expect(records).toHaveLength(1);
    expect(records[0]?.detail).toMatchObject({ reason });
    expect(virtualServiceWrites(world.kube)).toBe(writes);
    world.api.expectNoViolations();
  });

  it("the requester withdraws their own request without a reason", async () => {
    const request = await ask("shift reviews-reject 35");
    const id = requestIdOf(request);
    const dialog = await pressReject(request, ALICE);
    expect(JSON.stringify(dialog.blocks)).toContain("Why withdraw it? (optional)");
    await submit(dialog, ALICE, "");
    await until(() => gate().get(id)?.state === "rejected");
    await world.api.waitFor("chat.postMessage", (c) =>
      String(c.args.text).includes("<@U0ALICE> withdrew their request"),
    );
    expect((await rejected(id))[0]?.detail).toMatchObject({ withdrawn: true });
  });

  it("an outsider gets the refusal instead of a dialog, and a forged submission changes nothing", async () => {
    const request = await ask("shift reviews-reject 40");
    const id = requestIdOf(request);
    const views = world.api.views().length;
    await world.app.slack.clickButton(request, "approval_reject", { user: CAROL });
    await until(() =>
      world.api.ephemerals(CAROL.id).find((e) => String(e.text).includes("You need the *approve* right")),
    );
    expect(
      world.api
        .views()
        .slice(views)
        .filter((v) => v.callback_id === "reject_modal"),
    ).toEqual([]);
    // The dialog Bob got, submitted by Carol.
    const dialog = await pressReject(request, BOB);
    await submit(dialog, CAROL, "not mine to say");
    await until(
      () =>
        world.api.ephemerals(CAROL.id).filter((e) => String(e.text).includes("You need the *approve* right"))
          .length === 2,
    );
    await settle();
    expect(gate().get(id)?.state).toBe("pending");
    expect(await rejected(id)).toEqual([]);
  });

  it.each([
    ["a double submit", [BOB, BOB]],
    ["two rejecters at once", [BOB, DAVE]],
  ] as const)("under %s the request is rejected once", async (_name, users) => {
    const request = await ask(`shift reviews-reject ${users[1] === BOB ? 45 : 50}`);
    const id = requestIdOf(request);
    const dialogs = [await pressReject(request, users[0]), await pressReject(request, users[1])];
    await Promise.all(dialogs.map((d, i) => submit(d, users[i] as SlackActor, `reason ${i}`)));
    await until(() => gate().get(id)?.state === "rejected");
    await settle();
    expect(await rejected(id)).toHaveLength(1);
    const notes = world.api
      .callsTo("chat.postMessage")
      .filter((c) => / rejected \*shift/.test(String(c.args.text)));
    expect(notes).toHaveLength(1);
    const winner = gate().get(id)?.decidedBy;
    if (users[0] !== users[1]) {
      const loser = users.find((u) => u.id !== winner) as SlackActor;
      await until(() =>
        world.api.ephemerals(loser.id).find((e) => String(e.text).includes("already decided")),
      );
    }
    expect(gate().get(id)?.outcome).toMatch(/^reason [01]$/);
  });

  it("Reject on Home opens the same dialog and decides the request", async () => {
    const request = await ask("shift reviews-reject 55");
    const id = requestIdOf(request);
    await world.app.slack.appHomeOpened({ user: BOB });
    const home = await until(() => world.api.home(BOB.id));
    const dialog = await pressReject(home, BOB);
    await submit(dialog, BOB, "wait for the load test");
    await until(() => gate().get(id)?.state === "rejected");
    expect(gate().get(id)?.outcome).toBe("wait for the load test");
    // Home is drawn again without the request it no longer waits for.
    await until(() =>
      JSON.stringify(world.api.home(BOB.id)?.blocks).includes("Waiting for your approval (0)"),
    );
    world.api.expectNoViolations();
  });

  it("Approve on Home decides the request and draws Home again without it", async () => {
    const request = await ask("shift reviews-reject 60");
    const id = requestIdOf(request);
    await world.app.slack.appHomeOpened({ user: DAVE });
    const home = await until(() => {
      const view = world.api.home(DAVE.id);
      return JSON.stringify(view?.blocks).includes("Waiting for your approval (1)") ? view : undefined;
    });
    await world.app.slack.clickButton(home, "approval_approve", { user: DAVE });
    await until(() => gate().get(id)?.state === "applied", 30_000);
    await until(() =>
      JSON.stringify(world.api.home(DAVE.id)?.blocks).includes("Waiting for your approval (0)"),
    );
    world.api.expectNoViolations();
  });
});
