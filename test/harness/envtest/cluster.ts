// The cluster a test runs against: the project's test server, or a real control plane when the `real`
// suite runs (GRAYDESK_TEST_CLUSTER=real, set by vitest.config.ts). Both answer through the same interface,
// so one test body runs on either.

import type { KubeTestServer, KubeTestServerOptions } from "../kube/index.ts";
import { startKubeServer } from "../kube/index.ts";
import { type Envtest, startEnvtest } from "./index.ts";

export type ClusterKind = "test-server" | "real";

export function clusterKind(env: NodeJS.ProcessEnv = process.env): ClusterKind {
  return env.GRAYDESK_TEST_CLUSTER === "real" ? "real" : "test-server";
}

/** A real control plane behind the test server's interface; what only the test server can do throws. */
export function asTestServer(real: Envtest): KubeTestServer {
  const only = (what: string) => () => {
    throw new Error(`${what} is a test-server feature; a real API server has no such switch`);
  };
  return {
    kind: "real",
    url: real.url,
    kubeconfigPath: real.kubeconfigPath,
    adminToken: real.adminToken,
    writeKubeconfig: (token, path) => real.writeKubeconfig(token, path),
    kubeConfig: (token) => real.kubeConfig(token),
    setUser: (token, user) => real.setUser(token, user),
    faults: { add: only("faults.add"), clear: () => undefined },
    markImageBad: (image) => real.markImageBad(image),
    holdImage: (image) => real.holdImage(image),
    requests: real.requests,
    resetRequests: () => real.resetRequests(),
    close: () => real.close(),
  };
}

/** Starts the cluster this suite runs against, with the test server's options (those a real one can honour). */
export async function startTestCluster(opts: KubeTestServerOptions = {}): Promise<KubeTestServer> {
  if (clusterKind() === "test-server") return startKubeServer(opts);
  return asTestServer(
    await startEnvtest({
      crds: opts.crds ?? ["istio"],
      kubesphereVersion: opts.kubesphereVersion ?? "3.4",
      podReadyDelayMs: opts.podReadyDelayMs ?? 50,
    }),
  );
}
