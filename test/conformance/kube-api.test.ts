// Runs the Kubernetes conformance cases against the cluster in KUBECONFIG, or the test server when unset.

import { KubeConfig } from "@kubernetes/client-node";
import { startKubeServer } from "../harness/kube/index.ts";
import { kubeConformance } from "./kube-cases.ts";

kubeConformance(async () => {
  if (process.env.KUBECONFIG) {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromDefault();
    return { kubeConfig, close: async () => undefined };
  }
  const server = await startKubeServer({ crds: ["istio"] });
  return { kubeConfig: server.kubeConfig(), close: () => server.close() };
});
