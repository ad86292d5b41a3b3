import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningGraydesk, startTestGraydesk } from "../harness/graydesk.ts";
import { ACK_BOUND_MS, startSlackApiServer } from "../harness/slack/index.ts";

let api: Awaited<ReturnType<typeof startSlackApiServer>>;
let app: RunningGraydesk;

beforeAll(async () => {
  api = await startSlackApiServer();
  app = await startTestGraydesk(api);
});
afterAll(async () => {
  await app?.stop();
  await api?.close();
});
beforeEach(() => api.reset());

describe("/release help over the HTTP receiver", () => {
  it("acks a signed request at once and answers with the ephemeral command reference", async () => {
    const reply = await app.slack.command("/release", "help");
    expect(reply.status).toBe(200);
    expect(reply.ackMs).toBeLessThan(ACK_BOUND_MS);
    const posted = await api.waitFor("response_url");
    expect(posted.args).toMatchObject({ response_type: "ephemeral", text: "Graydesk commands" });
    expect(JSON.stringify(posted.args.blocks)).toContain("/release help");
    api.expectNoViolations();
  });

  it("treats an empty /release as help", async () => {
    await app.slack.command("/release", "");
    const posted = await api.waitFor("response_url");
    expect(posted.args.text).toBe("Graydesk commands");
  });

  it("suggests the closest command for an unknown one", async () => {
    const reply = await app.slack.command("/release", "hlep");
    expect(reply.status).toBe(200);
    const posted = await api.waitFor("response_url");
    expect(posted.args).toMatchObject({ response_type: "ephemeral" });
    expect(posted.args.text).toBe(
      "There is no `/release hlep`. Did you mean `/release help`? `/release help` lists them all.",
    );
  });

  it.each([
    ["no signature", { signature: "none" as const }],
    ["a wrong signature", { signature: "wrong-secret" as const }],
    ["a timestamp older than five minutes", { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }],
  ])("answers 401 to a request with %s and runs nothing", async (_name, sign) => {
    const reply = await app.slack.command("/release", "help", { sign });
    expect(reply.status).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    expect(api.calls).toHaveLength(0);
  });
});

describe("health endpoints", () => {
  it("/healthz answers while the process is up", async () => {
    const res = await fetch(`${app.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("/readyz names the dependency that is not ready, and nothing internal; the log says why", async () => {
    const res = await fetch(`${app.baseUrl}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "not ready", failures: ["kubernetes"] });
    const logged = app.logs.find((l) => l.msg === "not ready" && l.check === "kubernetes");
    expect(logged?.err).toBeDefined();
  });
});

describe("readiness with a cluster that answers", () => {
  it("/readyz is ready once Slack accepted the token and the Kubernetes API answered", async () => {
    const { startKubeServer } = await import("../harness/kube/index.ts");
    const kube = await startKubeServer();
    const ready = await startTestGraydesk(api, { kubeconfig: kube.kubeconfigPath });
    try {
      const res = await fetch(`${ready.baseUrl}/readyz`);
      expect(await res.json()).toEqual({ status: "ready", failures: [] });
      expect(res.status).toBe(200);
    } finally {
      await ready.stop();
      await kube.close();
    }
  });
});
