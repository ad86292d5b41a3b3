// Through the real composition: when each decision's audit record is written (and flushed: append resolves after
// datasync), the store does not hold that decision yet. A request, an approval and a rejection each go first to
// the trail, then to the store.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/index.ts";
import type { AuditEvent, AuditLog } from "../../src/store/index.ts";
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
  until,
  type World,
} from "../slack/desk/world.ts";

let kube: KubeTestServer;
let api: SlackApiServer;
let app: RunningGraydesk;
/** For each decision record: what the store held of its request when the record was written. */
const seen: { kind: string; requestId: string; stored: ApprovalRequest | undefined }[] = [];

const watching = (audit: AuditLog): AuditLog => ({
  ...audit,
  append: async (event: AuditEvent) => {
    const record = await audit.append(event);
    const requestId = event.detail?.requestId;
    if (["requested", "approved", "rejected"].includes(event.kind) && typeof requestId === "string") {
      const stored = app.graydesk.store.data().approvals[requestId] as unknown as ApprovalRequest | undefined;
      seen.push({ kind: event.kind, requestId, stored: stored && structuredClone(stored) });
    }
    return record;
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
    wrapAudit: watching,
  });
  await app.slack.command("/release", "config namespace bookinfo", { user: ALICE });
  await createReviewsJob({ kube, api, app } as unknown as World, "reviews-ahead");
}, 60_000);
afterAll(async () => {
  await app?.stop();
  await api?.close();
  await kube?.close();
});

const state = (id: string) => (app.graydesk.store.data().approvals[id] as unknown as ApprovalRequest).state;

describe("decisions are written to the audit trail before the store commits them", () => {
  it("request, approval and rejection: each record is on disk while the store does not hold it yet", async () => {
    await app.slack.command("/release", "shift reviews-ahead 30", { user: ALICE });
    const first = await until(() => approvalMessage(api), 10_000);
    await app.slack.clickButton(first, "approval_approve", { user: BOB });
    await until(() => {
      const approved = seen.find((s) => s.kind === "approved");
      return approved && state(approved.requestId) === "applied";
    }, 10_000);
    await app.slack.command("/release", "shift reviews-ahead 40", { user: ALICE });
    const second = await until(() => {
      const m = approvalMessage(api);
      return m && m.ts !== first.ts ? m : undefined;
    }, 10_000);
    await submitRejection(app.slack, await openRejectDialog(api, app.slack, second, BOB), BOB);
    const rejected = await until(() => seen.find((s) => s.kind === "rejected"), 10_000);
    await until(() => state(rejected.requestId) === "rejected", 10_000);

    expect(seen.map((s) => s.kind)).toEqual(["requested", "approved", "requested", "rejected"]);
    const [requested, approval, , rejection] = seen;
    expect(requested?.stored).toBeUndefined();
    expect(approval?.stored).toMatchObject({ state: "pending", approvals: [] });
    expect(rejection?.stored).toMatchObject({ state: "pending" });
  });
});
