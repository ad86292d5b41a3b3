// Private registry: a described container names an image pull Secret; the new version's pod pulls with it, and the
// pod-spec guard and validation hold it to the namespace's pull Secrets.
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import { describe, expect, it } from "vitest";
import {
  type ContainerSettings,
  guardPodSpec,
  newVersionPodSpec,
  validateContainers,
} from "../../src/release/index.ts";

const STABLE: IPodSpec = {
  imagePullSecrets: [{ name: "hub-login" }],
  containers: [{ name: "ratings", image: "docker.io/istio/examples-bookinfo-ratings-v1:1.20.3" }],
};
const PRIVATE: ContainerSettings = {
  name: "ratings",
  type: "work",
  image: "registry.example.com/bookinfo/ratings:2",
  pullSecret: "team-registry",
};
const TYPES = new Map([
  ["hub-login", "kubernetes.io/dockerconfigjson"],
  ["team-registry", "kubernetes.io/dockerconfigjson"],
  ["db", "Opaque"],
  ["builder-token", "kubernetes.io/service-account-token"],
]);
const pod = (container: ContainerSettings) =>
  newVersionPodSpec(STABLE, { replicas: 1, containers: { mode: "full", containers: [container] } });
const guard = (next: IPodSpec) =>
  guardPodSpec({
    stable: STABLE,
    next,
    stableVersion: "v1",
    secretTypes: TYPES,
    allowedRegistries: ["registry.example.com"],
  });

describe("a private registry's pull Secret", () => {
  it("joins the pod's imagePullSecrets beside those it had, and the guard lets it", () => {
    const next = pod(PRIVATE);
    expect(next.imagePullSecrets).toEqual([{ name: "hub-login" }, { name: "team-registry" }]);
    expect(guard(next)).toEqual([]);
    expect(pod({ ...PRIVATE, pullSecret: "hub-login" }).imagePullSecrets).toEqual([{ name: "hub-login" }]);
  });

  it.each([
    [
      "db",
      "imagePullSecrets[db]: Secret db is not an image pull Secret of this namespace (kubernetes.io/dockerconfigjson) — a pod pulls images only with a registry's login Secret.",
    ],
    [
      "builder-token",
      "imagePullSecrets[builder-token]: Secret builder-token is a ServiceAccount token — a new version may not read ServiceAccount token Secrets.",
    ],
  ])("is refused by the pod-spec guard when %s is no pull Secret", (name, message) => {
    expect(guard(pod({ ...PRIVATE, pullSecret: name }))).toEqual([
      { field: `imagePullSecrets[${name}]`, message },
    ]);
  });

  it("must be one of the project's pull Secrets, in the seed's words", () => {
    const data = { configMaps: {}, secrets: {}, pullSecrets: ["hub-login", "team-registry"] };
    expect(validateContainers([PRIVATE], data)).toEqual([]);
    expect(validateContainers([{ ...PRIVATE, pullSecret: "gone" }], data)).toEqual([
      {
        field: "containers[0].pullSecret",
        message:
          "There is no image pull Secret gone in this project: create a Secret containing the information for the private image registry (kubernetes.io/dockerconfigjson), then select it.",
      },
    ]);
  });
});
