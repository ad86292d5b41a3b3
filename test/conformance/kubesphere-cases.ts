// T4: KubeSphere 3.4's Strategy as its published CRD serves it: structural pruning of what the schema leaves
// open (`template.metadata`, the contents of header and URI matches), strict decoding refuses those fields, and
// `mirror_percent` is an object, not a number.

import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { failure } from "./kube-cases.ts";
import { raw } from "./raw.ts";

const STRATEGIES = { group: "servicemesh.kubesphere.io", version: "v1alpha2", plural: "strategies" };

function strategy(name: string, http: Record<string, unknown>) {
  return {
    apiVersion: "servicemesh.kubesphere.io/v1alpha2",
    kind: "Strategy",
    metadata: { name },
    spec: {
      type: "Canary",
      principal: "v1",
      governor: "v2",
      strategyPolicy: "Paused",
      selector: { matchLabels: { app: "reviews" } },
      template: {
        metadata: { labels: { app: "reviews" } },
        spec: {
          hosts: ["reviews"],
          http: [{ route: [{ destination: { host: "reviews", subset: "v1" }, weight: 100 }], ...http }],
        },
      },
    },
  };
}

export function kubesphereCases(ctx: () => { kubeConfig: KubeConfig; namespace: string }): void {
  describe("T4: KubeSphere 3.4 Strategy, as its published CRD serves it", () => {
    const match = { match: [{ headers: { "end-user": { exact: "jason" } }, uri: { prefix: "/api" } }] };

    it("prunes template.metadata and the contents of header and URI matches", async () => {
      const { kubeConfig, namespace } = ctx();
      const custom = kubeConfig.makeApiClient(CustomObjectsApi);
      await custom.createNamespacedCustomObject({
        ...STRATEGIES,
        namespace,
        body: strategy("pruned", match),
      });
      const stored = (await custom.getNamespacedCustomObject({
        ...STRATEGIES,
        namespace,
        name: "pruned",
      })) as {
        spec: { template: { metadata: unknown; spec: { http: { match: unknown[] }[] } } };
      };
      expect(stored.spec.template.metadata).toEqual({});
      expect(stored.spec.template.spec.http[0]?.match).toEqual([{ headers: { "end-user": {} }, uri: {} }]);
    });

    it("refuses those fields with 400 when decoding is strict", async () => {
      const { kubeConfig, namespace } = ctx();
      const answer = await raw(
        kubeConfig,
        "POST",
        `/apis/servicemesh.kubesphere.io/v1alpha2/namespaces/${namespace}/strategies?fieldValidation=Strict`,
        strategy("strict", match),
      );
      expect(answer.status).toBe(400);
      expect(answer.json.message).toContain(
        'strict decoding error: unknown field "spec.template.metadata.labels"',
      );
      expect(answer.json.message).toContain('unknown field "spec.template.spec.http[0].match[0].uri.prefix"');
    });

    it("refuses a number for mirror_percent (422: it is an object)", async () => {
      const { kubeConfig, namespace } = ctx();
      const custom = kubeConfig.makeApiClient(CustomObjectsApi);
      const err = await failure(
        custom.createNamespacedCustomObject({
          ...STRATEGIES,
          namespace,
          body: strategy("mirrored", { mirror: { host: "reviews", subset: "v2" }, mirror_percent: 30 }),
        }),
      );
      expect(err.httpCode).toBe(422);
      expect(err.details?.causes).toContainEqual(
        expect.objectContaining({
          field: "spec.template.spec.http[0].mirror_percent",
          message: expect.stringContaining("must be of type object"),
        }),
      );
    });
  });
}
