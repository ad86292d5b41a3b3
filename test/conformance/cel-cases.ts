// T1-T3: what Istio's published VirtualService CRD refuses beyond its types: CEL rules on durations, oneOf on
// string matches, and the second cause kube adds when schema errors kept the rules from running.

import type { KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { raw } from "./raw.ts";

const PREFIX = "VirtualService.networking.istio.io";

function virtualService(name: string, http: Record<string, unknown>) {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: { name },
    spec: { hosts: ["reviews"], http: [{ route: [{ destination: { host: "reviews" } }], ...http }] },
  };
}

export function celCases(ctx: () => { kubeConfig: KubeConfig; namespace: string }): void {
  const create = (body: object) => {
    const { kubeConfig, namespace } = ctx();
    return raw(
      kubeConfig,
      "POST",
      `/apis/networking.istio.io/v1/namespaces/${namespace}/virtualservices`,
      body,
    );
  };

  describe("T1-T3: Istio's VirtualService CRD, CEL rules and oneOf", () => {
    it.each([
      [
        "abc",
        `spec.http[0].timeout: Invalid value: "string": type conversion error from 'string' to 'google.protobuf.Duration' evaluating rule: must be a valid duration greater than 1ms`,
      ],
      ["0.5ms", `spec.http[0].timeout: Invalid value: "string": must be a valid duration greater than 1ms`],
    ])("T1: refuses the timeout %s with the CRD's CEL rule (422)", async (timeout, message) => {
      const name = `timeout-${timeout.replace(/[^a-z0-9]/g, "")}`;
      const answer = await create(virtualService(name, { timeout }));
      expect(answer.status).toBe(422);
      expect(answer.json.message).toBe(`${PREFIX} "${name}" is invalid: ${message}`);
    });

    it("T1: accepts a timeout of 1.5s", async () => {
      expect((await create(virtualService("timeout-ok", { timeout: "1.5s" }))).status).toBe(201);
      const { kubeConfig, namespace } = ctx();
      await raw(
        kubeConfig,
        "DELETE",
        `/apis/networking.istio.io/v1/namespaces/${namespace}/virtualservices/timeout-ok`,
      );
    });

    it("T2: refuses a header StringMatch with both exact and prefix (oneOf)", async () => {
      const answer = await create(
        virtualService("two-matches", {
          match: [{ headers: { "end-user": { exact: "jason", prefix: "j" } } }],
        }),
      );
      expect(answer.status).toBe(422);
      expect(answer.json.message).toBe(
        `${PREFIX} "two-matches" is invalid: <nil>: Invalid value: "": "spec.http[0].match[0].headers.end-user" must validate one and only one schema (oneOf). Found 2 valid alternatives`,
      );
    });

    it("T3: a schema error on a CRD with rules also says the rules were not checked", async () => {
      const body = virtualService("mistyped", {});
      (body.spec.http[0] as { route: { weight?: unknown }[] }).route[0] = {
        destination: { host: "reviews" },
        weight: "x",
      } as never;
      const answer = await create(body);
      expect(answer.status).toBe(422);
      expect(answer.json.message).toBe(
        `${PREFIX} "mistyped" is invalid: [spec.http[0].route[0].weight: Invalid value: "string": spec.http[0].route[0].weight in body must be of type integer: "string", <nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]`,
      );
      expect(answer.json.details?.causes).toHaveLength(2);
    });
  });
}
