import { ENFORCE_LABEL, type PodSecurityLevel, podSecurityLevel } from "../release/index.ts";
import type { Kube, KubeObject } from "./kube.ts";

/** What the pod-spec guard needs from the namespace: its Pod Security level and the type of each Secret. */
export interface PodGuardFacts {
  podSecurity?: PodSecurityLevel;
  secretTypes: Map<string, string>;
}

/** `secrets: false`: the pod references no Secret the guard must type, so the namespace's are not read. */
export async function podGuardFacts(
  kube: Kube,
  namespace: string,
  options: { secrets?: boolean } = {},
): Promise<PodGuardFacts> {
  const [ns, secrets] = await Promise.all([
    kube.get<KubeObject>({ apiVersion: "v1", kind: "Namespace", name: namespace }),
    options.secrets === false ? { items: [] } : kube.list<KubeObject>("v1", "Secret", namespace),
  ]);
  const level = podSecurityLevel(ns?.metadata.labels?.[ENFORCE_LABEL]);
  const secretTypes = new Map(
    secrets.items.map((secret) => [
      secret.metadata.name,
      typeof secret.type === "string" ? secret.type : "Opaque",
    ]),
  );
  return { ...(level ? { podSecurity: level } : {}), secretTypes };
}
