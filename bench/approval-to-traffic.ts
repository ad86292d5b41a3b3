import { countRequests, timeKubeRequests } from "./kube-timeline.ts";
import { rawPatchFloor } from "./raw-patch.ts";
import { emit, percentile, round } from "./stats.ts";
import {
  ALICE,
  approvalMessage,
  askAndApprove,
  BOB,
  CHANNEL,
  NEW_JOB,
  preparedApprove,
  settle,
  startBenchWorld,
  until,
} from "./world.ts";

const median = (xs: number[]) => round(percentile(xs, 50), 1);

/**
 * From the Approve click (signed up front, as Slack sends it) to the VirtualService patch finishing on the API
 * server, against one raw client-node merge patch of the same object over the same transport, sent from
 * Graydesk's process (so both pay one hop between processes); and the API requests each operation makes.
 */
export async function benchApprovalToTraffic(shifts = 20): Promise<void> {
  const world = await startBenchWorld();
  const { api, kube, slack, graydesk } = world;
  const timeline = timeKubeRequests(kube);
  const floor = rawPatchFloor(world, timeline);
  const counts: Record<string, ReturnType<typeof countRequests>> = {};
  /** Requests from a command until its request message is posted, then from the click until it is applied. */
  const operation = async (name: string, command: string) => {
    timeline.reset();
    await askAndApprove(world, command);
    await settle(graydesk);
    counts[name] = countRequests(kube.requests);
  };
  try {
    // What the cluster serves is read once at Graydesk's start-up, not by an operation: wait for that read.
    const readBy = Date.now() + 30_000;
    while (!kube.requests.some((r) => r.resource === "customresourcedefinitions") && Date.now() < readBy) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await operation("create job (+ first shift to 20 %)", NEW_JOB);
    const appTimes: number[] = [];
    const rawTimes: number[] = [];
    const parts = {
      ack: [] as number[],
      firstKubeRequest: [] as number[],
      patchStart: [] as number[],
      slackBefore: [] as number[],
      kubeBefore: [] as number[],
      firstSlackCall: [] as number[],
      lastSlackCall: [] as number[],
    };
    for (let i = 0; i < shifts; i++) {
      const to = i % 2 === 0 ? "v1=20 v2=80" : "v1=80 v2=20";
      const before = approvalMessage(api)?.ts;
      timeline.reset();
      await slack.command("/release", `shift reviews-v2 ${to}`, { user: ALICE });
      const request = structuredClone(
        await until(
          () => {
            const m = approvalMessage(api);
            return m && m.ts !== before ? m : undefined;
          },
          30_000,
          "shift request",
        ),
      );
      await settle(graydesk);
      const requestPhase = [...kube.requests];
      timeline.reset();
      const callsBefore = api.calls.length;
      const approve = preparedApprove(world, request, BOB);
      const wall = Date.now();
      const patched = timeline.nextWrite("virtualservices");
      const t0 = performance.now();
      const click = await approve();
      const at = await patched;
      appTimes.push(at - t0);
      const patch = timeline.timed.find((t) => t.finishedAt === at);
      parts.ack.push(click.ackMs);
      parts.firstKubeRequest.push((timeline.timed[0]?.startedAt ?? at) - t0);
      parts.patchStart.push((patch?.startedAt ?? at) - t0);
      parts.kubeBefore.push(timeline.timed.filter((t) => patch && t.startedAt < patch.startedAt).length);
      const patchWall = wall + ((patch?.startedAt ?? at) - t0);
      const slackBefore = api.calls.slice(callsBefore).filter((c) => c.at <= patchWall);
      parts.slackBefore.push(slackBefore.length);
      parts.firstSlackCall.push((slackBefore[0]?.at ?? patchWall) - wall);
      parts.lastSlackCall.push((slackBefore.at(-1)?.at ?? wall) - wall);
      await until(
        () =>
          JSON.stringify(api.message(CHANNEL, request.ts)?.blocks).includes("Applied") ? true : undefined,
        30_000,
        "shift applied",
      );
      await settle(graydesk);
      if (i === 0) {
        counts.shift = countRequests([...requestPhase, ...kube.requests]);
        counts["shift (approve → applied only)"] = countRequests(kube.requests);
      }
      // The floor: the same object patched once with what it holds now, so the next plan is not stale.
      rawTimes.push(await floor.measure());
    }
    await operation("take over", "takeover reviews-v2 v2");
    await operation("offline", "offline reviews-v2");
    const appP99 = percentile(appTimes, 99);
    const rawP99 = percentile(rawTimes, 99);
    emit({
      bench: "approval-to-traffic",
      what: "approve click → VirtualService patched",
      shifts,
      p50Ms: median(appTimes),
      p99Ms: round(appP99, 1),
    });
    emit({
      bench: "approval-to-traffic",
      what: "raw merge patch",
      shifts,
      p50Ms: median(rawTimes),
      p99Ms: round(rawP99, 1),
    });
    const ratio = round(percentile(appTimes, 50) / percentile(rawTimes, 50), 2);
    emit({
      bench: "approval-to-traffic",
      what: "ratio",
      p50Ratio: ratio,
      p99Ratio: round(appP99 / rawP99, 2),
      target: "p50 ratio <= 1.5",
      met: ratio <= 1.5,
      // Medians over the shifts: where the time goes before the patch is sent.
      criticalPathMedians: {
        clickAckMs: median(parts.ack),
        firstSlackCallMs: median(parts.firstSlackCall),
        lastSlackCallBeforePatchMs: median(parts.lastSlackCall),
        firstKubeRequestMs: median(parts.firstKubeRequest),
        patchSentMs: median(parts.patchStart),
        patchDoneMs: median(appTimes),
        kubeRequestsBeforePatch: median(parts.kubeBefore),
        slackCallsBeforePatch: median(parts.slackBefore),
      },
    });
    // The figures: a whole operation (request, card, approval, apply, card) in requests.
    const targets: Record<string, [string, (c: (typeof counts)[string]) => boolean]> = {
      "create job (+ first shift to 20 %)": ["<= 12 requests", (c) => c.requests <= 12],
      shift: ["<= 3 requests", (c) => c.requests <= 3],
      "take over": ["<= 3 requests", (c) => c.requests <= 3],
      // The rule: two requests per object changed, and one dry run besides.
      offline: [
        "<= 2 requests per object changed (+1 dry run)",
        (c) => c.requests - Math.min(c.dryRuns, 1) <= 2 * c.objectsChanged,
      ],
    };
    for (const [name, c] of Object.entries(counts)) {
      const [target, met] = targets[name] ?? [
        "<= 2 requests per object changed",
        (x: (typeof counts)[string]) => x.perObjectChanged <= 2,
      ];
      emit({ bench: "kube-requests", operation: name, ...c, target, met: met(c) });
    }
  } finally {
    await world.close();
  }
}

if (import.meta.main) await benchApprovalToTraffic();
