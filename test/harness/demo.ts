// `npm run demo`: the seed 004 story (reviews v2 canary 20 % → 80 % → take over → offline) played through
// Graydesk's real HTTP receiver against the Slack API test server and the Kubernetes test server, printed as
// what Alice (who asks) and Bob (who approves) see. Needs no Slack workspace and no cluster.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { loadBookinfo } from "./bookinfo.ts";
import { describeCalls } from "./demo/transcript.ts";
import { startTestGraydesk } from "./graydesk.ts";
import { startKubeServer } from "./kube/index.ts";
import { type SlackActor, type StoredMessage, startSlackApiServer } from "./slack/index.ts";
import { tempDir } from "./temp-dir.ts";

const ALICE: SlackActor = { id: "U0ALICE", name: "alice" };
const BOB: SlackActor = { id: "U0BOB", name: "bob" };
const CHANNEL = { id: "C0RELEASES", name: "releases" };
const names = {
  users: { U0ALICE: "alice", U0BOB: "bob", U0GRAYBOT: "graydesk" } as Record<string, string>,
  channels: { C0RELEASES: "releases" } as Record<string, string>,
};

const policyDir = tempDir("graydesk-demo-");
const policyFile = path.join(policyDir, "policy.yaml");
writeFileSync(
  policyFile,
  [
    "namespaces:",
    "  bookinfo:",
    "    requesters: { users: [U0ALICE] }",
    "    approvers: { users: [U0BOB] }",
    "    expiryMinutes: 30",
  ].join("\n"),
);

const kube = await startKubeServer({ podReadyDelayMs: 50 });
await loadBookinfo(kube.kubeConfig(), "bookinfo", { reviewsVersions: ["v1"], withDestinationRule: true });
const api = await startSlackApiServer();
api.setUsers([{ ...ALICE }, { ...BOB }]);
const app = await startTestGraydesk(api, { kubeconfig: kube.kubeconfigPath, policyFile });

const print = (line = "") => process.stdout.write(`${line}\n`);
let seen = 0;
/** Waits for Graydesk to finish the work a request started, then prints what it showed. */
async function show(): Promise<void> {
  const deadline = Date.now() + 15_000;
  await new Promise((r) => setTimeout(r, 30));
  while (app.graydesk.deps.inFlight.size > 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  const calls = api.calls.slice(seen);
  seen = api.calls.length;
  for (const line of describeCalls(calls, names)) print(line);
  print();
}
const latestApproval = (): StoredMessage => {
  const found = api
    .messages(CHANNEL.id)
    .filter((m) => JSON.stringify(m.blocks ?? []).includes("approval_approve"))
    .at(-1);
  if (!found) throw new Error("no approval request was posted");
  return found;
};
async function type(user: SlackActor, text: string) {
  print(`@${user.name} types in #releases:  /release ${text}`);
  const reply = await app.slack.command("/release", text, { user, channel: CHANNEL });
  print(`  (acknowledged in ${reply.ackMs.toFixed(0)} ms)`);
  await show();
}
let approvedTs = "";
async function approve(user: SlackActor) {
  print(`@${user.name} presses [ Approve ] on the request in the job's thread`);
  const request = latestApproval();
  approvedTs = request.ts;
  const reply = await app.slack.clickButton(request, "approval_approve", { user, channel: CHANNEL });
  print(`  (acknowledged in ${reply.ackMs.toFixed(0)} ms)`);
  await show();
}
/** The request a job promised once its new version is ready, posted after the version's own approval. */
async function nextRequest() {
  const deadline = Date.now() + 15_000;
  while (latestApproval().ts === approvedTs && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  await show();
}

try {
  print("═══ Graydesk demo: the Bookinfo reviews canary (seed 004) ═══");
  print("Cluster: Kubernetes test server with Bookinfo, reviews v1 only. Policy: Alice asks, Bob approves.");
  print();
  await type(ALICE, "config namespace bookinfo");
  await type(
    ALICE,
    "new canary bookinfo/reviews name=reviews-v2 version=v2 image=kubesphere/example-bookinfo-reviews-v2:1.16.2 weight=20",
  );
  await show();
  // Deploying the new version is itself approved (approveNewVersions), then the promised 20 % is asked for.
  await approve(BOB);
  await nextRequest();
  await approve(BOB);
  await type(ALICE, "shift reviews-v2 80");
  await approve(BOB);
  await type(ALICE, "takeover reviews-v2 v2");
  await approve(BOB);
  await type(ALICE, "offline reviews-v2");
  await approve(BOB);
  await type(ALICE, "history reviews-v2");
  print("@bob opens Graydesk's Home tab");
  await app.slack.appHomeOpened({ user: BOB });
  await show();
  const violations = api.violations.length;
  print(
    violations === 0
      ? "Every Slack surface passed the Block Kit checks."
      : `${violations} Block Kit violations!`,
  );
  process.exitCode = violations === 0 ? 0 : 1;
} catch (error) {
  print(`The demo stopped: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await app.stop();
  await api.close();
  await kube.close();
}
