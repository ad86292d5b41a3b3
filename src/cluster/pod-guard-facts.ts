import { ENFORCE_LABEL, type PodSecurityLevel, podSecurityLevel } from "../release/index.ts";
import type { Kube, KubeObject } from "./kube.ts";

/** What the pod-spec guard needs from the namespace: its Pod Security level and the type of each Secret. */
export interface PodGuardFacts {
  podSecurity?: PodSecurityLevel;
  secretTypes: Map<string, string>;
}

export async function podGuardFacts(kube: Kube, namespace: string): Promise<PodGuardFacts> {
  const [ns, secrets] = await Promise.all([
    kube.get<KubeObject>({ apiVersion: "v1", kind: "Namespace", name: namespace }),
    kube.list<KubeObject>("v1", "Secret", namespace),
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
