// The Kubernetes conformance cases, run against the test server inside the unit suite.

import { kubeConformance } from "../../conformance/kube-cases.ts";
import { startKubeServer } from "./index.ts";

kubeConformance(async () => {
  const server = await startKubeServer({ crds: ["istio", "kubesphere"], podReadyDelayMs: 20 });
  return { kubeConfig: server.kubeConfig(), close: () => server.close() };
});
