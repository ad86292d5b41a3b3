// The audit trail stops taking writes (a full disk). Decisions are written to it before they are committed, so
// each is refused in words and nothing is half-made: a new request is neither stored nor posted; an approval or
// a rejection leaves the request pending and the VirtualService unchanged. Once it takes writes again, the same
// request is approved and applied.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuditLog, AuditWriteError } from "../../src/store/index.ts";
import { loadBookinfo } from "../harness/bookinfo.ts";
import { type RunningGraydesk, startTestGraydesk } from "../harness/graydesk.ts";
import { type KubeTestServer, startKubeServer } from "../harness/kube/index.ts";
import { type SlackApiServer, startSlackApiServer } from "../harness/slack/index.ts";
import { openRejectDialog, submitRejection } from "../slack/desk/reject-dialog.ts";
import {
  ALICE,
  approvalMessage,
  BOB,
  CAROL,
  createReviewsJob,
  DAVE,
  POLICY,
  reviewsWeights,
  until,
  type World,
} from "../slack/desk/world.ts";

let kube: KubeTestServer;
let api: SlackApiServer;
let app: RunningGraydesk;
let full = false;

/** The real trail, whose appends fail as writing to a full disk does while `full` is set. */
const fillable = (audit: AuditLog): AuditLog => ({
  ...audit,
  append: (event) => {
    if (!full) return audit.append(event);
    const enospc = Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
    return Promise.reject(new AuditWriteError("audit.log", enospc));
  },
  readAll: () => audit.readAll(),
  close: () => audit.close(),
});

beforeAll(async () => {
  kube = await startKubeServer({ podReadyDelayMs: 20 });
  await loadBookinfo(kube.kubeConfig(), "bookinfo", { reviewsVersions: ["v1"], withDestinationRule: true });
  api = await startSlackApiServer();
  api.setUsers([ALICE, BOB, CAROL, DAVE]);
  app = await startTestGraydesk(api, {
    kubeconfig: kube.kubeconfigPath,
    policyFile: POLICY,
    wrapAudit: fillable,
  });
  await app.slack.command("/release", "config namespace bookinfo", { user: ALICE });
  await createReviewsJob({ kube, api, app } as unknown as World, "reviews-full");
}, 60_000);
afterAll(async () => {
  await app?.stop();
  await api?.close();
  await kube?.close();
});

/** The Slack calls that told someone the trail could not be written, so far. */
const toldFull = () =>
  api.calls.filter((c) => JSON.stringify(c.args).includes("could not record this in its audit trail")).length;

const requests = () =>
  Object.values(app.graydesk.store.data().approvals) as unknown as { id: string; state: string }[];

describe("a full audit disk", () => {
  it("refuses a new request in words: no request is stored or posted", async () => {
    const before = requests().length;
    const told = toldFull();
    full = true;
    await app.slack.command("/release", "shift reviews-full 20", { user: ALICE });
    await until(() => toldFull() > told || undefined, 10_000);
    full = false;
    const call = api.calls.findLast((c) => JSON.stringify(c.args).includes("could not record"));
    expect(JSON.stringify(call?.args)).toContain("the disk is full");
    expect(requests()).toHaveLength(before);
    expect(approvalMessage(api)).toBeUndefined();
  });

  it("refuses an approval and a rejection in words; the request stays pending and the cluster unchanged", async () => {
    await app.slack.command("/release", "shift reviews-full 30", { user: ALICE });
    const request = await until(() => approvalMessage(api), 10_000);
    const before = await reviewsWeights(kube);
    const pending = () => requests().find((r) => r.state === "pending");
    const id = pending()?.id;
    for (const [choice, user] of [
      ["approve", BOB],
      ["reject", BOB],
      ["reject", ALICE],
    ] as const) {
      const told = toldFull();
      // A rejection is decided when its reason dialog is submitted.
      const dialog = choice === "reject" ? await openRejectDialog(api, app.slack, request, user) : undefined;
      full = true;
      if (dialog) await submitRejection(app.slack, dialog, user);
      else await app.slack.clickButton(request, "approval_approve", { user });
      await until(() => toldFull() > told || undefined, 10_000);
      full = false;
      expect([choice, user.id, pending()?.id]).toEqual([choice, user.id, id]);
    }
    expect(await reviewsWeights(kube)).toEqual(before);
    // Once the trail takes writes again, the same request is approved and applied.
    await app.slack.clickButton(request, "approval_approve", { user: BOB });
    const applied = await until(() => requests().find((r) => r.id === id && r.state === "applied"), 10_000);
    expect(applied).toBeDefined();
    expect(await reviewsWeights(kube)).not.toEqual(before);
  });
});
