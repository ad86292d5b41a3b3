import { PULL_SECRET_TYPE } from "./discovery.ts";
import type { Kube, KubeObject } from "./kube.ts";

/**
 * The `.dockerconfigjson` of one image pull Secret of a namespace, for the one registry call that needs it: the
 * caller keeps it no longer than that call. Read with the `list` Graydesk already has on the namespace's Secrets
 * (no `get`), so no other Secret's data is kept: the list is dropped as soon as the one is found.
 */
export async function pullSecretConfig(
  kube: Kube,
  namespace: string,
  name: string,
): Promise<string | undefined> {
  const { items } = await kube.list<KubeObject>("v1", "Secret", namespace);
  const secret = items.find((item) => item.metadata.name === name && item.type === PULL_SECRET_TYPE);
  const encoded = (secret?.data as Record<string, string> | undefined)?.[".dockerconfigjson"];
  return typeof encoded === "string" ? Buffer.from(encoded, "base64").toString("utf8") : undefined;
}
