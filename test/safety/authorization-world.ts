import { rmSync } from "node:fs";
import { GatedReleases } from "../../src/controllers/index.ts";
import type { ReleaseJob } from "../../src/release/index.ts";
import { readStateDir } from "../../src/store/index.ts";
import { loadBookinfo } from "../harness/bookinfo.ts";
import { type RunningGraydesk, startTestGraydesk } from "../harness/graydesk.ts";
import { type KubeTestServer, startKubeServer } from "../harness/kube/index.ts";
import type { RecordedCall, SlackApiServer, SlackClient } from "../harness/slack/index.ts";
import { startSlackApiServer } from "../harness/slack/index.ts";
import { tempDir } from "../harness/temp-dir.ts";

export const NAMESPACES = ["bookinfo", "shop"] as const;
export type Namespace = (typeof NAMESPACES)[number];
export const CHANNELS: Record<Namespace, string> = { bookinfo: "C0BOOK", shop: "C0SHOP" };
/** A channel with no namespace, for `/release config namespace`. */
export const NEUTRAL = "C0NEUTRAL";
export const JOB = "reviews-auth";
export const IMAGE = "docker.io/istio/examples-bookinfo-reviews-v2:1.20.3";
const POLICY = new URL("../fixtures/safety/authorization-policy.yaml", import.meta.url).pathname;

export type Role = "outsider" | "requester" | "approver" | "other-namespace requester" | "other team";
export const ROLES: Role[] = ["outsider", "requester", "approver", "other-namespace requester", "other team"];
export const OTHER_TEAM = { id: "T0ELSEWHERE", domain: "elsewhere" };

/** Who plays each role in a namespace (see the policy fixture). */
export function actorFor(role: Role, ns: Namespace): { id: string; name: string; external?: boolean } {
  const mine = ns === "bookinfo" ? "B" : "S";
  const theirs = ns === "bookinfo" ? "S" : "B";
  switch (role) {
    case "outsider":
      return { id: "U0OUT", name: "out" };
    case "requester":
      return { id: `U0${mine}REQ`, name: `${mine}req` };
    case "approver":
      return { id: `U0${mine}APP`, name: `${mine}app` };
    case "other-namespace requester":
      return { id: `U0${theirs}REQ`, name: `${theirs}req` };
    case "other team":
      return { id: "U0EXT", name: "ext", external: true };
  }
}

/** Who opens the requests the approve and reject rows press on (a second requester, so nobody approves their own). */
export const secondRequester = (ns: Namespace) => ({ user: ns === "bookinfo" ? "U0BREQ2" : "U0SREQ2" });

export interface AuthWorld {
  kube: KubeTestServer;
  api: SlackApiServer;
  app: RunningGraydesk;
  slack: SlackClient;
  jobs: Record<Namespace, ReleaseJob>;
  close(): Promise<void>;
}

export async function startAuthWorld(options: { clock?: () => Date } = {}): Promise<AuthWorld> {
  const kube = await startKubeServer({ podReadyDelayMs: 20 });
  for (const ns of NAMESPACES)
    await loadBookinfo(kube.kubeConfig(), ns, { reviewsVersions: ["v1"], withDestinationRule: true });
  const api = await startSlackApiServer();
  api.setUsers(
    ["U0OUT", "U0BREQ", "U0BREQ2", "U0BAPP", "U0SREQ", "U0SREQ2", "U0SAPP", "U0EXT"].map((id) => ({
      id,
      name: id.toLowerCase(),
    })),
  );
  const dataDir = tempDir("graydesk-authz-");
  const app = await startTestGraydesk(api, {
    kubeconfig: kube.kubeconfigPath,
    policyFile: POLICY,
    dataDir,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const { desk, cards, store } = app.graydesk.deps;
  await store.update((d) => {
    for (const ns of NAMESPACES) d.channels[CHANNELS[ns]] = { id: CHANNELS[ns], namespace: ns };
  });
  const jobs = {} as Record<Namespace, ReleaseJob>;
  for (const ns of NAMESPACES) {
    const job = await desk.createJob(
      {
        name: JOB,
        namespace: ns,
        app: "bookinfo",
        service: "reviews",
        strategy: "canary",
        newVersion: {
          version: "v2",
          settings: { replicas: 1, containers: { mode: "replace-image", images: { reviews: IMAGE } } },
        },
        channel: CHANNELS[ns],
      },
      secondRequester(ns).user,
    );
    await cards.post(job, CHANNELS[ns]);
    jobs[ns] = await desk.waitDeployed(job.id, 10_000);
    await new GatedReleases(store).save({
      id: `flagger/${ns}/podinfo`,
      controller: "flagger",
      namespace: ns,
      name: "podinfo",
      channel: CHANNELS[ns],
      phase: "Progressing",
      revision: "abc123",
      facts: [],
      updatedAt: new Date().toISOString(),
    });
  }
  return {
    kube,
    api,
    app,
    slack: app.slack,
    jobs,
    async close() {
      await app.stop();
      await api.close();
      await kube.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The lists a refused action must leave alone in each namespace: routing objects and Deployments. */
const WATCHED = [
  "apis/networking.istio.io/v1/namespaces/NS/virtualservices",
  "apis/networking.istio.io/v1/namespaces/NS/destinationrules",
  "apis/servicemesh.kubesphere.io/v1alpha2/namespaces/NS/strategies",
  "apis/apps/v1/namespaces/NS/deployments",
];

/**
 * Everything a refused action must leave alone: the namespace's routing objects, Deployments, the store.
 * The lists are read as the API server sends them (objects and the list's resourceVersion, which moves with any
 * write in the cluster), over plain HTTP on a kept-alive connection: hundreds of rows take two snapshots each.
 */
export async function snapshot(world: AuthWorld): Promise<string> {
  const headers = { authorization: `Bearer ${world.kube.adminToken}` };
  const parts = await Promise.all(
    NAMESPACES.flatMap((ns) =>
      WATCHED.map(async (template) => {
        const response = await fetch(`${world.kube.url}/${template.replace("NS", ns)}`, { headers });
        const body = await response.text();
        return response.ok ? (JSON.parse(body) as unknown) : { unavailable: response.status, body };
      }),
    ),
  );
  // Records in key order: the state directory reads back in the order of its files and commit log, which
  // changes when the record files catch up with the log, though nothing in them did.
  const file = canonical(readStateDir(world.app.config.dataDir));
  return JSON.stringify({ parts, file, data: canonical(world.app.graydesk.store.data()) });
}

/** JSON with each collection's records in key order (a record itself reads back as it was written). */
function canonical(data: object): string {
  const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);
  const sorted = (value: unknown) =>
    value && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(byKey))
      : value;
  return JSON.stringify(
    Object.fromEntries(
      Object.entries(data)
        .sort(byKey)
        .map(([c, v]) => [c, sorted(v)]),
    ),
  );
}

/** Waits until the work Graydesk runs after its acks has finished (what it tracks for a graceful shutdown). */
export async function settle(world: AuthWorld): Promise<void> {
  const { inFlight } = world.app.graydesk.deps;
  const deadline = Date.now() + 30_000;
  while (inFlight.size > 0) {
    if (!(await inFlight.drain(Math.max(0, deadline - Date.now()))))
      throw new Error(`work still running after 30 s (${inFlight.size} tracked)`);
  }
}

/** The words the person got back: replies, ephemerals, direct messages, views opened or published for them. */
export function toUser(calls: RecordedCall[], user: string): string {
  return calls
    .filter(
      (c) =>
        c.method === "response_url" ||
        (c.method === "chat.postEphemeral" && c.args.user === user) ||
        (c.method === "chat.postMessage" && c.args.channel === user) ||
        (c.method === "views.publish" && c.args.user_id === user) ||
        c.method === "views.update" ||
        c.method === "views.open",
    )
    .map((c) => JSON.stringify(c.args))
    .join("\n");
}

/** A message holding one button, as a job card or approval message would (the value is what Slack sends back). */
export function buttonOn(channel: string, actionId: string, value: string) {
  return {
    type: "message",
    ts: "1700000000.000100",
    channel,
    text: "buttons",
    blocks: [
      {
        type: "actions",
        block_id: "authz_row",
        elements: [
          { type: "button", action_id: actionId, value, text: { type: "plain_text", text: "press" } },
        ],
      },
    ],
  };
}
