// Fixed approval requests for the golden files: the four changes of a reviews canary in Bookinfo, each with the
// plan Graydesk makes for it (objects cut to what the routers write).
import type { ApprovalRequest } from "../../src/approvals/index.ts";
import type { JobChange } from "../../src/desk/index.ts";
import { makePlan, type Plan, type PlanStep } from "../../src/release/index.ts";
import { describeChange } from "../../src/slack/approvals/change-words.ts";

const ref = (apiVersion: string, kind: string, name: string) => ({
  apiVersion,
  kind,
  namespace: "bookinfo",
  name,
});
const VS = ref("networking.istio.io/v1", "VirtualService", "reviews");
const DR = ref("networking.istio.io/v1", "DestinationRule", "reviews");

const virtualService = (weights: Record<string, number>) => ({
  spec: {
    hosts: ["reviews"],
    http: [
      {
        route: Object.entries(weights).map(([subset, weight]) => ({
          destination: { host: "reviews", port: { number: 9080 }, subset },
          weight,
        })),
      },
    ],
  },
});
const destinationRule = (versions: string[]) => ({
  spec: { host: "reviews", subsets: versions.map((v) => ({ name: v, labels: { version: v } })) },
});
const deployment = (version: string, image: string) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: `reviews-${version}`, namespace: "bookinfo", labels: { app: "reviews", version } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: "reviews", version } },
    template: {
      metadata: { labels: { app: "reviews", version } },
      spec: { containers: [{ name: "reviews", image, ports: [{ containerPort: 9080 }] }] },
    },
  },
});

const shiftVs = (from: Record<string, number>, to: Record<string, number>): PlanStep => ({
  action: "patch",
  object: VS,
  before: virtualService(from),
  after: virtualService(to),
  patch: { type: "merge", body: { spec: { http: virtualService(to).spec.http } } },
});
const dropSubset = (keep: string[]): PlanStep => ({
  action: "patch",
  object: DR,
  before: destinationRule(["v1", "v2"]),
  after: destinationRule(keep),
  patch: { type: "merge", body: { spec: { subsets: destinationRule(keep).spec.subsets } } },
});

export const V1_IMAGE = "docker.io/istio/examples-bookinfo-reviews-v1:1.20.3";
export const V2_IMAGE = "docker.io/istio/examples-bookinfo-reviews-v2:1.20.3";

export interface GoldenRequest {
  name: string;
  change: JobChange;
  plan: Plan;
  request: ApprovalRequest;
}

function golden(name: string, change: JobChange, steps: PlanStep[], summary: string, notes: string[] = []) {
  const plan = makePlan({
    id: `plan-${name}`,
    jobId: "job-1",
    operation: change.kind,
    steps,
    summary,
    notes,
  });
  const request: ApprovalRequest = {
    id: `req-${name}`,
    jobId: "job-1",
    jobName: "reviews-canary",
    namespace: "bookinfo",
    operation: describeChange(change),
    planId: plan.id,
    planHash: plan.hash,
    summary,
    requestedBy: "U0ALICE",
    requestedAt: "2026-01-01T10:00:00.000Z",
    expiresAt: "2026-01-01T10:30:00.000Z",
    requiredApprovals: 1,
    approvals: [],
    state: "pending",
    messages: [{ channel: "C0RELEASES", ts: "1767261600.000200" }],
  };
  return { name, change, plan, request };
}

export const SHIFT = golden(
  "shift",
  { kind: "shift", traffic: { kind: "weights", weights: { v1: 20, v2: 80 } } },
  [shiftVs({ v1: 80, v2: 20 }, { v1: 20, v2: 80 })],
  "reviews: v1 80 → 20, v2 20 → 80",
);

export const TAKE_OVER = golden(
  "take-over",
  { kind: "takeOver", version: "v2" },
  [shiftVs({ v1: 20, v2: 80 }, { v1: 0, v2: 100 })],
  "reviews: v1 20 → 0, v2 80 → 100",
);

export const OFFLINE = golden(
  "offline",
  { kind: "takeOffline", keep: "v2" },
  [
    { action: "delete", object: VS, before: virtualService({ v1: 0, v2: 100 }) },
    dropSubset(["v2"]),
    {
      action: "delete",
      object: ref("apps/v1", "Deployment", "reviews-v1"),
      before: deployment("v1", V1_IMAGE),
    },
  ],
  "reviews: v2 keeps all traffic; v1 and its Deployment are removed",
  ["Deployment reviews-v1 (v1) is deleted with its pods."],
);

export const ABANDON = golden(
  "abandon",
  { kind: "abandon" },
  [
    { action: "delete", object: VS, before: virtualService({ v1: 90, v2: 10 }) },
    dropSubset(["v1"]),
    {
      action: "delete",
      object: ref("apps/v1", "Deployment", "reviews-v2"),
      before: deployment("v2", V2_IMAGE),
    },
  ],
  "reviews: v1 keeps all traffic; v2 and its Deployment are removed",
  ["Deployment reviews-v2 (v2) is deleted with its pods."],
);
