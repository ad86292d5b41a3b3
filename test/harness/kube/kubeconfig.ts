// Kubeconfig files for the test server: one cluster, one user per bearer token.

import { readFileSync, writeFileSync } from "node:fs";
import { parse, stringify } from "yaml";

export function kubeconfigYaml(server: string, token: string, ca: string, user = "graydesk-test"): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "graydesk-test",
        cluster: { server, "certificate-authority-data": Buffer.from(ca).toString("base64") },
      },
    ],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: "graydesk-test", context: { cluster: "graydesk-test", user, namespace: "default" } }],
    "current-context": "graydesk-test",
    preferences: {},
  });
}

export function writeKubeconfigFile(path: string, server: string, token: string, ca: string): string {
  writeFileSync(path, kubeconfigYaml(server, token, ca), { mode: 0o600 });
  return path;
}

interface KubeconfigFile {
  clusters: { name: string; cluster: unknown }[];
  users: { name: string; user: unknown }[];
  contexts: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
}

/**
 * One kubeconfig holding several servers' files, each as a context named after its key (`staging`, `prod-eu`),
 * as an operator's kubeconfig for several clusters does. The first is the current context.
 */
export function mergedKubeconfig(path: string, files: Record<string, string>): string {
  const merged: KubeconfigFile & Record<string, unknown> = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [],
    users: [],
    contexts: [],
    preferences: {},
  };
  for (const [name, file] of Object.entries(files)) {
    const one = parse(readFileSync(file, "utf8")) as KubeconfigFile;
    merged.clusters.push({ name, cluster: one.clusters[0]?.cluster });
    merged.users.push({ name, user: one.users[0]?.user });
    merged.contexts.push({ name, context: { cluster: name, user: name, namespace: "default" } });
  }
  merged["current-context"] = Object.keys(files)[0];
  writeFileSync(path, stringify(merged), { mode: 0o600 });
  return path;
}
