// The member-clusters component grants exactly what reading a member cluster's kubeconfig Secret needs: with the
// base RBAC and the component, Graydesk (as its ServiceAccount) starts with both clusters; without the component,
// start-up stops and names the Secret it could not read.
import { readFileSync } from "node:fs";
import path from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGraydesk } from "../harness/graydesk.ts";
import { type KubeTestServer, startKubeServer } from "../harness/kube/index.ts";
import { type SlackApiServer, startSlackApiServer } from "../harness/slack/index.ts";
import {
  BASE,
  DEPLOY,
  grantName,
  grants,
  resources,
  SERVICE_ACCOUNT,
  serviceAccountRules,
} from "./manifests.ts";

const COMPONENT = path.join(DEPLOY, "kustomize/components/member-clusters");
const base = serviceAccountRules(resources(BASE));
const component = serviceAccountRules(resources(COMPONENT));

let main: KubeTestServer;
let member: KubeTestServer;
let api: SlackApiServer;

beforeAll(async () => {
  main = await startKubeServer();
  member = await startKubeServer();
  const core = main.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: "graydesk" } } });
  await core.createNamespacedSecret({
    namespace: "graydesk",
    body: {
      metadata: { name: "prod-eu-kubeconfig" },
      data: { kubeconfig: readFileSync(member.kubeconfigPath).toString("base64") },
    },
  });
  api = await startSlackApiServer();
});
afterAll(async () => {
  await api?.close();
  await main?.close();
  await member?.close();
});

async function start(token: string, rules: typeof base) {
  await main.setUser(token, { name: SERVICE_ACCOUNT, rules });
  return startTestGraydesk(api, {
    kubeconfig: main.writeKubeconfig(token),
    clusters: [
      { name: "staging", context: "graydesk-test" },
      { name: "prod-eu", secret: { namespace: "graydesk", name: "prod-eu-kubeconfig" } },
    ],
  });
}

describe("the member-clusters component", () => {
  it("grants only get on Secrets in Graydesk's namespace", () => {
    expect(grants(component).map((g) => `${grantName(g)} in ${g.namespace}`)).toEqual([
      "get secrets in graydesk",
    ]);
  });

  it("lets Graydesk read the member cluster's kubeconfig and start with both clusters", async () => {
    const app = await start("with-component-token-0001", [...base, ...component]);
    try {
      expect(app.graydesk.deps.desk.jobs()).toEqual([]);
      const res = await fetch(`${app.baseUrl}/readyz`);
      expect(await res.json()).toEqual({ status: "ready", failures: [] });
    } finally {
      await app.stop();
    }
  });

  it("without it, start-up stops naming the Secret it was refused", async () => {
    await expect(start("without-component-token-01", base)).rejects.toThrow(
      "cluster prod-eu: could not read Secret graydesk/prod-eu-kubeconfig (403)",
    );
  });
});
