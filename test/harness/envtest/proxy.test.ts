// The recording proxy names requests as kube's request-info resolver (and the test server) does.

import { expect, describe as group, it } from "vitest";
import { describe } from "./proxy.ts";

group("recording proxy: verb and target of a request", () => {
  it.each([
    ["GET", "/api/v1/namespaces/b/pods", "", { verb: "list", resource: "pods", namespace: "b" }],
    ["GET", "/api/v1/pods", "?watch=true", { verb: "watch", resource: "pods" }],
    [
      "PATCH",
      "/apis/apps/v1/namespaces/b/deployments/r/scale",
      "",
      { verb: "patch", resource: "deployments", namespace: "b", name: "r", subresource: "scale" },
    ],
    ["DELETE", "/api/v1/namespaces/b", "", { verb: "delete", resource: "namespaces", name: "b" }],
    [
      "PUT",
      "/api/v1/namespaces/b/finalize",
      "",
      { verb: "update", resource: "namespaces", name: "b", subresource: "finalize" },
    ],
    [
      "DELETE",
      "/apis/x.io/v1/namespaces/b/things",
      "",
      { verb: "deletecollection", resource: "things", namespace: "b" },
    ],
    [
      "POST",
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
      "",
      { verb: "create", resource: "customresourcedefinitions" },
    ],
    ["GET", "/apis/apps/v1", "", {}],
    ["GET", "/version", "", {}],
  ])("%s %s%s", (method, path, query, expected) => {
    expect(describe(method, path, new URLSearchParams(query))).toEqual(expected);
  });
});
