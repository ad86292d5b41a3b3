// Batch Reference (envFrom) and mounts of the pod's volumes: built onto the running container, validated with the
// seed's rule that the ConfigMap or Secret belongs to the same project.
import type { IContainer } from "kubernetes-models/v1/Container";
import { describe, expect, it } from "vitest";
import {
  containerOntoRunning,
  settingsOfContainer,
  validateEnvFrom,
  validateMounts,
} from "../../src/release/index.ts";

const RUNNING: IContainer = {
  name: "ratings",
  image: "ratings:1",
  envFrom: [{ configMapRef: { name: "ratings-settings" }, prefix: "RATINGS_" }],
  volumeMounts: [{ name: "tmp", mountPath: "/tmp", mountPropagation: "None" }],
};

describe("built onto the running container", () => {
  it("shows the running sources and mounts, and keeps them exactly when they are not changed", () => {
    const settings = settingsOfContainer(RUNNING, "work");
    expect(settings.envFrom).toEqual([{ kind: "ConfigMap", name: "ratings-settings" }]);
    expect(settings.volumeMounts).toEqual([{ volume: "tmp", mountPath: "/tmp" }]);
    expect(containerOntoRunning(settings, RUNNING)).toEqual(RUNNING);
  });

  it("adds a Secret and a read-only sub-path mount, keeping what the form cannot show of the others", () => {
    const settings = settingsOfContainer(RUNNING, "work");
    const next = containerOntoRunning(
      {
        ...settings,
        envFrom: [...(settings.envFrom ?? []), { kind: "Secret", name: "ratings-db" }],
        volumeMounts: [
          ...(settings.volumeMounts ?? []),
          { volume: "tmp", mountPath: "/var/cache", readOnly: true, subPath: "cache" },
        ],
      },
      RUNNING,
    );
    expect(next.envFrom).toEqual([
      { configMapRef: { name: "ratings-settings" }, prefix: "RATINGS_" },
      { secretRef: { name: "ratings-db" } },
    ]);
    expect(next.volumeMounts).toEqual([
      { name: "tmp", mountPath: "/tmp", mountPropagation: "None" },
      { name: "tmp", mountPath: "/var/cache", readOnly: true, subPath: "cache" },
    ]);
  });

  it("removes them when emptied, and keeps them when the settings do not speak of them", () => {
    const settings = settingsOfContainer(RUNNING, "work");
    const emptied = containerOntoRunning({ ...settings, envFrom: [], volumeMounts: [] }, RUNNING);
    expect(emptied.envFrom).toBeUndefined();
    expect(emptied.volumeMounts).toBeUndefined();
    const silent = containerOntoRunning({ name: "ratings", type: "work", image: "ratings:2" }, RUNNING);
    expect(silent.envFrom).toEqual(RUNNING.envFrom);
    expect(silent.volumeMounts).toEqual(RUNNING.volumeMounts);
  });
});

describe("Batch Reference", () => {
  const data = { configMaps: { "ratings-settings": ["A"] }, secrets: { "ratings-db": ["B"] } };
  it("takes ConfigMaps and Secrets of the project", () => {
    expect(
      validateEnvFrom(
        [
          { kind: "ConfigMap", name: "ratings-settings" },
          { kind: "Secret", name: "ratings-db" },
        ],
        "envFrom",
        data,
      ),
    ).toEqual([]);
  });
  it.each([
    [
      { kind: "ConfigMap" as const, name: "other/settings" },
      "envFrom[0].project",
      "ConfigMap other/settings: the ConfigMap or Secret to be referenced must belong to the same project as the container.",
    ],
    [
      { kind: "Secret" as const, name: "ratings-settings" },
      "envFrom[0].name",
      "There is no Secret ratings-settings in this project: the ConfigMap or Secret to be referenced must belong to the same project as the container.",
    ],
  ])("refuses %o in the seed's words", (source, field, message) => {
    expect(validateEnvFrom([source], "envFrom", data)).toEqual([{ field, message }]);
  });
});

describe("volume mounts", () => {
  const data = { configMaps: {}, secrets: {}, volumes: ["tmp", "config"] };
  it.each([
    [
      { volume: "data", mountPath: "/data" },
      "volumeMounts[0].volume",
      "The pod has no volume data; a container may mount one of its volumes (tmp, config).",
    ],
    [
      { volume: "tmp", mountPath: "tmp" },
      "volumeMounts[0].mountPath",
      "Mount paths are absolute and have no ':', e.g. /var/log/app.",
    ],
    [
      { volume: "tmp", mountPath: "/x", subPath: "../etc" },
      "volumeMounts[0].subPath",
      "A sub-path is relative to the volume, without '..'.",
    ],
  ])("refuses %o", (mount, field, message) => {
    expect(validateMounts([mount], "volumeMounts", data)).toEqual([{ field, message }]);
  });
  it("refuses a path mounted twice", () => {
    const twice = [
      { volume: "tmp", mountPath: "/tmp" },
      { volume: "config", mountPath: "/tmp" },
    ];
    expect(validateMounts(twice, "volumeMounts", data)).toEqual([
      { field: "volumeMounts[1].mountPath", message: "/tmp is mounted twice." },
    ]);
  });
});
