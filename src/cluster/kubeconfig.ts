import { CoreV1Api, KubeConfig, VersionApi } from "@kubernetes/client-node";
import type { Config } from "../config.ts";

/**
 * Builds the client configuration: KUBECONFIG (and KUBE_CONTEXT) when set, otherwise the pod's service account
 * (in-cluster), which is how Graydesk runs when deployed.
 */
export function createKubeConfig(settings: Config["kube"]): KubeConfig {
  const kc = new SharedConnectionsKubeConfig();
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

/**
 * A cluster's client configuration from a Secret's `kubeconfig` key, read through `main` (the cluster Graydesk
 * runs in or its KUBECONFIG). Errors name the Secret and the key, never the content.
 */
export async function kubeConfigFromSecret(
  main: KubeConfig,
  cluster: string,
  secret: { namespace: string; name: string },
): Promise<KubeConfig> {
  const where = `Secret ${secret.namespace}/${secret.name}`;
  let data: Record<string, string> | undefined;
  try {
    data = (await main.makeApiClient(CoreV1Api).readNamespacedSecret(secret)).data;
  } catch (error) {
    throw new Error(
      `cluster ${cluster}: could not read ${where} (${(error as { code?: number }).code ?? "no answer"})`,
      {
        cause: error,
      },
    );
  }
  const encoded = data?.kubeconfig;
  if (!encoded) throw new Error(`cluster ${cluster}: ${where} has no key kubeconfig`);
  const kc = new SharedConnectionsKubeConfig();
  try {
    kc.loadFromString(Buffer.from(encoded, "base64").toString("utf8"));
  } catch {
    throw new Error(`cluster ${cluster}: the kubeconfig in ${where} is not a valid kubeconfig`);
  }
  if (!kc.getCurrentCluster())
    throw new Error(`cluster ${cluster}: the kubeconfig in ${where} names no current cluster`);
  return kc;
}

/** Asks the API server for its version: the cheapest call that proves it answers and accepts our credentials. */
export async function pingCluster(kc: KubeConfig): Promise<string> {
  const info = await kc.makeApiClient(VersionApi).getCode();
  return info.gitVersion;
}

type RequestContext = Parameters<KubeConfig["applySecurityAuthentication"]>[0];
type Dispatcher = NonNullable<ReturnType<RequestContext["getDispatcher"]>>;

/**
 * client-node 2 gives every request a new connection pool (an undici Agent) when TLS settings are present,
 * which is always in a cluster: each call paid a new connection (and handshake), and each pool stayed in memory
 * with its idle socket for seconds (some 800 pools after 10,000 Slack requests). Requests for the same cluster
 * and user share one pool here, so connections are kept alive and reused.
 */
export class SharedConnectionsKubeConfig extends KubeConfig {
  readonly #pools = new Map<string, Dispatcher>();

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const made = context.getDispatcher();
    if (!made) return;
    const key = JSON.stringify([this.getCurrentCluster()?.name, this.getCurrentUser()?.name]);
    const shared = this.#pools.get(key);
    if (shared) {
      // The fresh pool has opened nothing yet; closing it releases it at once.
      void made.close();
      context.setDispatcher(shared);
    } else {
      this.#pools.set(key, made);
    }
  }
}
