// The pure parts of the registry client: the challenge a registry answers 401 with, and the logins a pull Secret holds.
import { describe, expect, it } from "vitest";
import { loginFor, parseChallenge, registriesOf, registryHostOf } from "../../src/registry/index.ts";

describe("WWW-Authenticate challenges", () => {
  it.each([
    [
      'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:team/app:pull"',
      {
        scheme: "bearer",
        params: {
          realm: "https://auth.example.com/token",
          service: "registry.example.com",
          scope: "repository:team/app:pull",
        },
      },
    ],
    ['Basic realm="Registry Realm"', { scheme: "basic", params: { realm: "Registry Realm" } }],
    [
      'bearer realm="http://127.0.0.1:1/token", scope="registry:catalog:*"',
      { scheme: "bearer", params: { realm: "http://127.0.0.1:1/token", scope: "registry:catalog:*" } },
    ],
  ])("reads %s", (header, expected) => {
    expect(parseChallenge(header)).toEqual(expected);
  });

  it.each([undefined, null, "", 'Negotiate realm="x"'])("speaks no other scheme (%j)", (header) => {
    expect(parseChallenge(header)).toBeUndefined();
  });
});

describe("a pull Secret's logins", () => {
  const config = JSON.stringify({
    auths: {
      "https://registry.example.com:5000/v1/": {
        auth: Buffer.from("robot:s3cret:with-colon").toString("base64"),
      },
      "harbor.example.com": { username: "ci", password: "pw" },
      "https://index.docker.io/v1/": { auth: Buffer.from("hub:token").toString("base64") },
    },
  });

  it("names its registries as hosts", () => {
    expect(registriesOf(config)).toEqual(["registry.example.com:5000", "harbor.example.com", "docker.io"]);
    expect(registryHostOf("HTTPS://Registry.Example.com/v2/")).toBe("registry.example.com");
  });

  it("gives the login of one registry, from auth or username and password", () => {
    expect(loginFor(config, "registry.example.com:5000")).toEqual({
      username: "robot",
      password: "s3cret:with-colon",
    });
    expect(loginFor(config, "harbor.example.com")).toEqual({ username: "ci", password: "pw" });
    expect(loginFor(config, "registry-1.docker.io")).toEqual({ username: "hub", password: "token" });
    expect(loginFor(config, "other.example.com")).toBeUndefined();
  });

  it("has none when the Secret is not a docker config", () => {
    expect(registriesOf("not json")).toEqual([]);
    expect(loginFor("{}", "registry.example.com")).toBeUndefined();
  });
});
