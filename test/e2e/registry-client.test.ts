// The registry client against Debian's docker-registry (the CNCF Distribution registry): one behind basic auth,
// one behind token auth (the bearer challenge flow), images pushed through the registry HTTP API.
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OciRegistryClient, type RegistryCall, RegistryError } from "../../src/registry/index.ts";
import { type RunningRegistry, startRegistry } from "../harness/registry/index.ts";

let basic: RunningRegistry;
let token: RunningRegistry;
const client = new OciRegistryClient();
const call = (registry: RunningRegistry, login = registry.login): RegistryCall => ({
  login,
  signal: AbortSignal.timeout(20_000),
});

beforeAll(async () => {
  [basic, token] = await Promise.all([startRegistry({ auth: "basic" }), startRegistry({ auth: "token" })]);
  for (const registry of [basic, token]) {
    await registry.push({ repository: "bookinfo/ratings", tag: "1.20.3", exposedPorts: ["9080/tcp"] });
    await registry.push({
      repository: "bookinfo/ratings",
      tag: "1.21.0",
      exposedPorts: ["9080/tcp", "9090/tcp"],
    });
    await registry.push({ repository: "tools/dns", tag: "2", exposedPorts: ["53/udp"], format: "docker" });
  }
});
afterAll(async () => {
  await Promise.all([basic?.close(), token?.close()]);
});

describe.each(["basic", "token"] as const)("a registry behind %s auth", (auth) => {
  const registry = () => (auth === "basic" ? basic : token);

  it("lists its repositories and their tags", async () => {
    const r = registry();
    expect(await client.catalog(r.host, call(r))).toEqual(["bookinfo/ratings", "tools/dns"]);
    expect((await client.tags(r.host, "bookinfo/ratings", call(r))).sort()).toEqual(["1.20.3", "1.21.0"]);
  });

  it("reads an image's config (OCI and Docker manifests) with its ExposedPorts", async () => {
    const r = registry();
    const ratings = await client.imageConfig(r.host, "bookinfo/ratings", "1.21.0", call(r));
    expect(ratings.config?.ExposedPorts).toEqual({ "9080/tcp": {}, "9090/tcp": {} });
    const dns = await client.imageConfig(r.host, "tools/dns", "2", call(r));
    expect(dns.config?.ExposedPorts).toEqual({ "53/udp": {} });
  });

  it("says a wrong login was refused, naming the registry and not the login", async () => {
    const r = registry();
    const refused = await client
      .catalog(r.host, call(r, { username: r.login.username, password: "wrong" }))
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RegistryError);
    expect((refused as RegistryError).problem).toBe("login");
    expect((refused as RegistryError).message).toBe(`${r.host} refused the registry login.`);
    expect((refused as RegistryError).message).not.toContain("wrong");
  });

  it("asks for a login when there is none", async () => {
    const r = registry();
    const refused = await client
      .tags(r.host, "bookinfo/ratings", { signal: AbortSignal.timeout(20_000) })
      .catch((e: unknown) => e);
    expect((refused as RegistryError).message).toBe(`${r.host} needs a login: choose its image pull Secret.`);
  });

  it("says what is not there", async () => {
    const r = registry();
    const missing = await client
      .imageConfig(r.host, "bookinfo/ratings", "9.9.9", call(r))
      .catch((e: unknown) => e);
    expect((missing as RegistryError).problem).toBe("not-found");
  });
});

describe("bounds", () => {
  it("reads no answer larger than its limit", async () => {
    const small = new OciRegistryClient({ maxBytes: 16 });
    const tooLarge = await small.catalog(basic.host, call(basic)).catch((e: unknown) => e);
    expect((tooLarge as RegistryError).problem).toBe("too-large");
  });

  it("stops waiting at the caller's deadline for a registry that never answers", async () => {
    const silent: Server = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    try {
      const late = await client
        .catalog(`127.0.0.1:${port}`, { signal: AbortSignal.timeout(300) })
        .catch((e: unknown) => e);
      expect((late as RegistryError).problem).toBe("timeout");
      expect((late as RegistryError).message).toBe(`127.0.0.1:${port} did not answer in time.`);
    } finally {
      silent.close();
    }
  });

  it("used the token service for the token registry", () => {
    expect(token.tokens?.issued).toBeGreaterThan(0);
    expect(token.tokens?.refused).toBeGreaterThan(0);
  });
});
