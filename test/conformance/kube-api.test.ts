// Runs the Kubernetes conformance cases against the cluster in KUBECONFIG, else a real control plane when
// KUBEBUILDER_ASSETS names one (test/harness/envtest), else the test server.

import { KubeConfig } from "@kubernetes/client-node";
import { envtestAssets, startEnvtest } from "../harness/envtest/index.ts";
import { startKubeServer } from "../harness/kube/index.ts";
import { kubeConformance } from "./kube-cases.ts";

kubeConformance(async () => {
  if (process.env.KUBECONFIG) {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromDefault();
    return { kubeConfig, close: async () => undefined };
  }
  if (envtestAssets()) {
    const cluster = await startEnvtest({ crds: ["istio", "kubesphere"] });
    return { kubeConfig: cluster.kubeConfig(), close: () => cluster.close() };
  }
  const server = await startKubeServer({ crds: ["istio", "kubesphere"] });
  return { kubeConfig: server.kubeConfig(), close: () => server.close() };
});
