import { describe, expect, it } from "vitest";
import {
  imageReference,
  orderTags,
  portsOfImage,
  readImageQuery,
  repositoryOf,
  withImagePorts,
} from "../../src/release/index.ts";

describe("Use Default Port of Images", () => {
  it("reads the image config's ExposedPorts as ports named after their protocol", () => {
    expect(portsOfImage({ "9080/tcp": {}, "53/udp": {}, "8443": {}, "80/tcp": {} })).toEqual([
      { protocol: "UDP", name: "udp-53", containerPort: 53 },
      { protocol: "TCP", name: "tcp-80", containerPort: 80 },
      { protocol: "TCP", name: "tcp-8443", containerPort: 8443 },
      { protocol: "TCP", name: "tcp-9080", containerPort: 9080 },
    ]);
  });

  it("leaves out what is not one port", () => {
    expect(portsOfImage({ "8000-8010/tcp": {}, "0/tcp": {}, "70000/tcp": {}, "80/quic": {} })).toEqual([]);
    expect(portsOfImage(undefined)).toEqual([]);
  });
});

describe("what was typed in the image search", () => {
  it.each([
    ["", "registry.example.com", { host: "registry.example.com", path: "", typedHost: false }],
    ["rat", "registry.example.com", { host: "registry.example.com", path: "rat", typedHost: false }],
    [
      "team/ratings:1.",
      "registry.example.com",
      { host: "registry.example.com", path: "team/ratings", tag: "1.", typedHost: false },
    ],
    [
      "127.0.0.1:5000/ratings:",
      "registry.example.com",
      { host: "127.0.0.1:5000", path: "ratings", tag: "", typedHost: true },
    ],
    ["nginx:1.2", undefined, { host: "docker.io", path: "nginx", tag: "1.2", typedHost: false }],
  ])("%j against %s", (typed, registry, expected) => {
    expect(readImageQuery(typed, registry)).toEqual(expected);
  });

  it("names Docker Hub's official images under library/, and the reference by its short name", () => {
    expect(repositoryOf({ host: "docker.io", path: "nginx" })).toBe("library/nginx");
    expect(repositoryOf({ host: "harbor.example.com", path: "nginx" })).toBe("nginx");
    expect(imageReference("docker.io", "library/nginx", "1.27")).toBe("nginx:1.27");
    expect(imageReference("127.0.0.1:5000", "team/app", "v2")).toBe("127.0.0.1:5000/team/app:v2");
  });

  it("orders tags newest-looking first, latest on top", () => {
    expect(orderTags(["1.2.0", "latest", "1.10.0", "v1.9", "1.2.0-rc1", "dev"])).toEqual([
      "latest",
      "1.10.0",
      "v1.9",
      "1.2.0",
      "1.2.0-rc1",
      "dev",
    ]);
  });
});

describe("default ports filled into the form", () => {
  it("keeps the form's port of the same number and adds the image's others", () => {
    const image = portsOfImage({ "9080/tcp": {}, "9464/tcp": {}, "9080/udp": {} });
    expect(withImagePorts([{ protocol: "HTTP", name: "http", containerPort: 9080 }], image)).toEqual([
      { protocol: "HTTP", name: "http", containerPort: 9080 },
      { protocol: "UDP", name: "udp-9080", containerPort: 9080 },
      { protocol: "TCP", name: "tcp-9464", containerPort: 9464 },
    ]);
    expect(withImagePorts([], image)).toEqual(image);
  });
});
