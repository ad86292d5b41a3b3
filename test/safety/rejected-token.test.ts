// A bot token Slack rejects is a state, not a crash: the real entry point stays up, says why once, reports Slack
// not ready on /readyz (naming it, with no internal detail), keeps trying, and is ready once Slack accepts the
// token. The placeholder of .env.example never gets that far: it is refused at start-up with words.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runEntryPoint } from "../harness/entry-point.ts";
import { SIGNING_SECRET, unreachableKubeconfig } from "../harness/graydesk.ts";
import { freePort, type SlackApiServer, startSlackApiServer } from "../harness/slack/index.ts";
import { type Replica, startReplica } from "../replicas/replica-process.ts";
import { POLICY, until } from "../slack/desk/world.ts";

let api: SlackApiServer;
const running: Replica[] = [];

beforeAll(async () => {
  api = await startSlackApiServer();
});
afterAll(async () => {
  for (const r of running) await r.kill();
  await api?.close();
});

async function readyz(graydesk: Replica): Promise<{ status: number; body: { failures: string[] } }> {
  const res = await fetch(graydesk.slack.url.replace("/slack/events", "/readyz"));
  return { status: res.status, body: (await res.json()) as { failures: string[] } };
}

describe("a bot token Slack rejects", () => {
  it("keeps the process up and not ready naming Slack, logs the cause once, recovers once Slack accepts", async () => {
    const token = "xoxb-9-rotated";
    const graydesk = await startReplica("rejected", {
      api,
      botToken: token,
      kubeconfig: unreachableKubeconfig(),
      policyFile: POLICY,
      leaseDurationSeconds: 15,
      store: "lowdb",
    });
    running.push(graydesk);
    // At least two attempts refused (the first at start, one retry after a second).
    await until(
      () => api.callsTo("auth.test").filter((c) => c.token === token).length >= 2 || undefined,
      15_000,
    );
    expect(graydesk.child.exitCode).toBeNull();
    const notReady = await readyz(graydesk);
    expect(notReady.status).toBe(503);
    expect(notReady.body.failures).toContain("slack");
    expect(JSON.stringify(notReady.body)).not.toMatch(/invalid_auth|ECONNREFUSED|127\.0\.0\.1/);
    const said = graydesk.logs.filter((l) => String(l.msg).startsWith("Slack does not accept the bot token"));
    expect(said).toHaveLength(1);
    expect(said[0]?.cause).toBe("invalid_auth");
    expect(JSON.stringify(graydesk.logs)).not.toContain(token);

    // A signed request meanwhile is answered, not left hanging, and the process stays up.
    const reply = await graydesk.slack.command("/release", "help");
    expect(reply.status).toBeLessThan(500);

    api.acceptToken(token);
    await until(() => graydesk.logged("Slack accepted the bot token"), 30_000);
    await until(async () => !(await readyz(graydesk)).body.failures.includes("slack") || undefined, 10_000);
    expect(graydesk.child.exitCode).toBeNull();
    // A process start (PROCESS_START_MS) and Slack's retries.
  }, 240_000);

  it("the placeholder of .env.example is refused at start-up, saying what to paste", async () => {
    const { code, stderr } = await runEntryPoint({
      SLACK_BOT_TOKEN: examplePlaceholder("SLACK_BOT_TOKEN"),
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_MODE: "http",
      PORT: String(await freePort()),
      SLACK_API_URL: api.url,
    });
    expect(code).toBe(2);
    expect(stderr).toContain("SLACK_BOT_TOKEN is still the example's placeholder");
    expect(stderr).toContain("OAuth & Permissions");
  }, 180_000);
});

/** The value .env.example gives `name`: what a person who copied it without editing starts with. */
function examplePlaceholder(name: string): string {
  const example = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");
  const line = example.split("\n").find((l) => l.startsWith(`${name}=`));
  if (!line) throw new Error(`.env.example has no ${name}`);
  return line.slice(name.length + 1);
}
