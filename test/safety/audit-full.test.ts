// The audit trail stops taking writes (a full disk) between a request and its approval: the approval does not
// reach the cluster, the request is closed as failed with words saying why, and the VirtualService is unchanged.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuditLog, AuditWriteError } from "../../src/store/index.ts";
import { loadBookinfo } from "../harness/bookinfo.ts";
import { type RunningGraydesk, startTestGraydesk } from "../harness/graydesk.ts";
import { type KubeTestServer, startKubeServer } from "../harness/kube/index.ts";
import { type SlackApiServer, startSlackApiServer } from "../harness/slack/index.ts";
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

describe("a full audit disk", () => {
  it("refuses the approved change in words and leaves nothing half-made", async () => {
    await app.slack.command("/release", "shift reviews-full 30", { user: ALICE });
    const request = await until(() => approvalMessage(api), 10_000);
    const before = await reviewsWeights(kube);
    full = true;
    await app.slack.clickButton(request, "approval_approve", { user: BOB });
    const closed = await until(() => {
      const approvals = Object.values(app.graydesk.store.data().approvals) as unknown as {
        state: string;
        outcome?: string;
      }[];
      return approvals.find((a) => a.state === "failed");
    }, 10_000);
    expect(closed.outcome).toContain("could not record this in its audit trail");
    expect(closed.outcome).toContain("the disk is full");
    expect(await reviewsWeights(kube)).toEqual(before);
    const told = await until(() =>
      api.calls.find((c) => JSON.stringify(c.args).includes("could not record this in its audit trail")),
    );
    expect(told).toBeDefined();
    full = false;
  });
});
