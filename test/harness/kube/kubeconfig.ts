// Kubeconfig files for the test server: one cluster, one user per bearer token.

import { writeFileSync } from "node:fs";
import { stringify } from "yaml";

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
