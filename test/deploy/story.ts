// The seed 004 story through Slack (reviews v2 canary 20 % → 80 % → take over → offline, Alice asks, Bob
// approves), run by a Graydesk that holds only the permissions it is given. Each run gets its own Bookinfo
// namespace on a shared Kubernetes test server, so runs with different permissions do not meet.

import { readFileSync, writeFileSync } from "node:fs";
import { CoreV1Api } from "@kubernetes/client-node";
import { parse, stringify } from "yaml";
import type { StoreKind } from "../../src/config.ts";
import { STATE_LABEL } from "../../src/store/index.ts";
import { loadBookinfo } from "../harness/bookinfo.ts";
import { type RunningGraydesk, startTestGraydesk } from "../harness/graydesk.ts";
import type { KubeTestServer, PolicyRule } from "../harness/kube/index.ts";
import type { SlackApiServer, StoredMessage } from "../harness/slack/index.ts";
import { ALICE, approvalMessage, BOB, CHANNEL } from "../slack/desk/world.ts";
import { SERVICE_ACCOUNT } from "./manifests.ts";

/** Where Graydesk runs, as its kubeconfig (in a pod, its ServiceAccount) says: STORE=kubernetes keeps state here. */
export const OWN_NAMESPACE = "graydesk";

export type Outcome =
  | { done: true; job: { router: string; state: string } | undefined }
  | { done: false; step: string; seen: string };

const STEPS = ["config", "new 20 %", "shift 80 %", "take over", "offline"] as const;
export type StepName = (typeof STEPS)[number];

// What Slack shows people: messages, their updates, answers only one person sees, modals and Home tabs.
const VISIBLE = new Set([
  "chat.postMessage",
  "chat.update",
  "chat.postEphemeral",
  "response_url",
  "views.open",
  "views.push",
  "views.update",
  "views.publish",
]);

let runs = 0;

/**
 * Runs the story as the ServiceAccount with `rules`, stopping at the first step that does not finish: that step
 * and everything Slack showed during it. A step ends early when Slack shows a forbidden message.
 */
export async function runStory(
  kube: KubeTestServer,
  api: SlackApiServer,
  rules: PolicyRule[] | ((namespace: string) => PolicyRule[]),
  options: { store?: StoreKind; destinationRule?: boolean; stepTimeoutMs?: number } = {},
): Promise<Outcome> {
  const namespace = `bookinfo-${++runs}`;
  // Plain HTTP where the test server offers it: each of the many runs creates a Bookinfo first.
  await loadBookinfo(kube.kubeConfig(undefined, { plainHttp: true }), namespace, {
    reviewsVersions: ["v1"],
    withDestinationRule: options.destinationRule ?? true,
  });
  const token = `graydesk-${namespace}`;
  await kube.setUser(token, {
    name: SERVICE_ACCOUNT,
    rules: typeof rules === "function" ? rules(namespace) : rules,
  });
  api.reset();
  // Every run starts from empty state, as a new installation does.
  if (options.store === "kubernetes") await clearState(kube);
  let app: RunningGraydesk | undefined;
  try {
    app = await startTestGraydesk(api, {
      kubeconfig: kubeconfigIn(kube, token, OWN_NAMESPACE),
      ...(options.store ? { store: options.store } : {}),
    });
  } catch (error) {
    return { done: false, step: "start", seen: (error as Error).message };
  }
  const started = app;
  // Generous: a refused step ends as soon as Slack shows the refusal; only a stuck one waits this long. A step
  // that finishes took more than 20 s on a loaded machine, and then the row failed as if nothing had been refused.
  const timeoutMs = options.stepTimeoutMs ?? 60_000;
  try {
    const job = "reviews-v2";
    const last: LastApproval = { clickedAt: 0 };
    const actions: Record<StepName, () => Promise<string | undefined>> = {
      config: async () => {
        const from = api.calls.length;
        const reply = await started.slack.command("/release", `config namespace ${namespace}`, {
          user: ALICE,
        });
        return settle(api, from, reply.body, timeoutMs, () =>
          api.calls.some((c) => c.method === "response_url" && JSON.stringify(c.args).includes(namespace)),
        );
      },
      // Deploying v2 is approved first (approveNewVersions, on by default), then the promised 20 %.
      "new 20 %": async () =>
        (await askAndApprove(
          started,
          api,
          `new canary ${namespace}/reviews name=${job} version=v2 image=kubesphere/example-bookinfo-reviews-v2:1.16.2 weight=20`,
          timeoutMs,
          last,
        )) ?? (await approveNext(started, api, timeoutMs, last)),
      "shift 80 %": () => askAndApprove(started, api, `shift ${job} v1=20 v2=80`, timeoutMs),
      "take over": () => askAndApprove(started, api, `takeover ${job} v2`, timeoutMs),
      offline: () => askAndApprove(started, api, `offline ${job}`, timeoutMs),
    };
    for (const step of STEPS) {
      const failure = await actions[step]();
      if (failure !== undefined) return { done: false, step, seen: failure };
    }
    const jobs = Object.values(started.graydesk.store.data().jobs) as unknown as {
      name?: string;
      router: string;
      state: string;
    }[];
    const found = jobs.find((j) => j.name === job);
    return { done: true, job: found && { router: found.router, state: found.state } };
  } finally {
    await started.stop();
  }
}

/** The request Bob approved last, and how many Slack calls there were when he clicked. */
interface LastApproval {
  ts?: string;
  clickedAt: number;
}

/** Alice asks with a command, Bob approves with the button; undefined once applied, else what Slack showed. */
async function askAndApprove(
  app: RunningGraydesk,
  api: SlackApiServer,
  command: string,
  timeoutMs: number,
  last?: LastApproval,
): Promise<string | undefined> {
  const before = approvalMessage(api)?.ts;
  const from = api.calls.length;
  const asked = await app.slack.command("/release", command, { user: ALICE });
  let request: StoredMessage | undefined;
  const failed = await settle(api, from, asked.body, timeoutMs, () => {
    const m = approvalMessage(api);
    request = m && m.ts !== before ? m : undefined;
    return request !== undefined;
  });
  if (failed !== undefined || !request) return failed ?? visibleSince(api, from);
  const approved = request;
  const clicked = api.calls.length;
  if (last) Object.assign(last, { ts: approved.ts, clickedAt: clicked });
  const click = await app.slack.clickButton(approved, "approval_approve", { user: BOB });
  return settle(api, clicked, click.body, timeoutMs, () =>
    JSON.stringify(api.message(CHANNEL, approved.ts)?.blocks ?? []).includes("Applied"),
  );
}

/**
 * Bob approves the next request to appear (one Graydesk opens by itself, as a promised first traffic change).
 * It may already be there, or refused, by the time the previous approval is seen applied: so anything after
 * that approval's click counts.
 */
async function approveNext(
  app: RunningGraydesk,
  api: SlackApiServer,
  timeoutMs: number,
  last: LastApproval,
): Promise<string | undefined> {
  const before = last.ts;
  const from = last.clickedAt;
  let request: StoredMessage | undefined;
  const failed = await settle(api, from, "", timeoutMs, () => {
    const m = approvalMessage(api);
    request = m && m.ts !== before ? m : undefined;
    return request !== undefined;
  });
  if (failed !== undefined || !request) return failed ?? visibleSince(api, from);
  const approved = request;
  const clicked = api.calls.length;
  const click = await app.slack.clickButton(approved, "approval_approve", { user: BOB });
  return settle(api, clicked, click.body, timeoutMs, () =>
    JSON.stringify(api.message(CHANNEL, approved.ts)?.blocks ?? []).includes("Applied"),
  );
}

/**
 * Waits until `done` or until Slack shows a forbidden message (or the time is up); undefined when done,
 * otherwise everything shown since the step began (the acknowledgement's body included).
 */
async function settle(
  api: SlackApiServer,
  from: number,
  ackBody: string,
  timeoutMs: number,
  done: () => boolean,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (done()) return undefined;
    const seen = [...strings(parseBody(ackBody)), visibleSince(api, from)].join("\n");
    if (/forbidden/i.test(seen) || Date.now() > deadline) return seen;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The words people saw: every string in the visible calls' arguments, one per line. */
function visibleSince(api: SlackApiServer, from: number): string {
  return api.calls
    .slice(Math.max(0, from))
    .filter((c) => VISIBLE.has(c.method))
    .flatMap((c) => strings(c.args))
    .join("\n");
}

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

async function clearState(kube: KubeTestServer): Promise<void> {
  const core = kube.kubeConfig().makeApiClient(CoreV1Api);
  const { items } = await core.listNamespacedConfigMap({
    namespace: OWN_NAMESPACE,
    labelSelector: STATE_LABEL,
  });
  for (const cm of items)
    await core.deleteNamespacedConfigMap({ namespace: OWN_NAMESPACE, name: cm.metadata?.name as string });
}

/** A kubeconfig for `token` whose context names `namespace`, as a pod's ServiceAccount kubeconfig does. */
export function kubeconfigIn(kube: KubeTestServer, token: string, namespace: string): string {
  const file = kube.writeKubeconfig(token);
  const config = parse(readFileSync(file, "utf8")) as { contexts: { context: { namespace?: string } }[] };
  for (const c of config.contexts) c.context.namespace = namespace;
  writeFileSync(file, stringify(config), { mode: 0o600 });
  return file;
}
