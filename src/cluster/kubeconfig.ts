import { KubeConfig, VersionApi } from "@kubernetes/client-node";
import type { Config } from "../config.ts";

/**
 * Builds the client configuration: KUBECONFIG (and KUBE_CONTEXT) when set, otherwise the pod's service account
 * (in-cluster), which is how Graydesk runs when deployed.
 */
export function createKubeConfig(settings: Config["kube"]): KubeConfig {
  const kc = new KubeConfig();
  if (settings.kubeconfig) {
    kc.loadFromFile(settings.kubeconfig);
  } else {
    kc.loadFromCluster();
  }
  if (settings.context) {
    if (!kc.getContextObject(settings.context)) {
      throw new Error(`KUBE_CONTEXT ${settings.context} is not a context in the kubeconfig`);
    }
    kc.setCurrentContext(settings.context);
  }
  return kc;
}

/** Asks the API server for its version: the cheapest call that proves it answers and accepts our credentials. */
export async function pingCluster(kc: KubeConfig): Promise<string> {
  const info = await kc.makeApiClient(VersionApi).getCode();
  return info.gitVersion;
}
