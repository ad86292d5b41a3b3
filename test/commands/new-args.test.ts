import { describe, expect, it } from "vitest";
import { parseNewArgs, trafficPolicy } from "../../commands/new-args.ts";

const words = (text: string) => text.split(" ");

describe("the one-line /release new", () => {
  it("reads a canary with a weight", () => {
    const parsed = parseNewArgs(
      "canary",
      words("bookinfo/reviews version=v2 image=istio/reviews:2 name=rv2 replicas=3 weight=20"),
    );
    expect(parsed).toEqual({
      ok: true,
      value: {
        strategy: "canary",
        namespace: "bookinfo",
        service: "reviews",
        version: "v2",
        images: { "": "istio/reviews:2" },
        name: "rv2",
        replicas: 3,
        traffic: { kind: "weight", percent: 20, word: "weight=20" },
      },
    });
  });

  it("reads cluster/namespace/service in a desk for several clusters", () => {
    const parsed = parseNewArgs(
      "canary",
      words("prod-eu/bookinfo/reviews version=v2 image=a:1 router=gateway-api"),
    );
    expect(parsed.ok && [parsed.value.namespace, parsed.value.service, parsed.value.router]).toEqual([
      "prod-eu/bookinfo",
      "reviews",
      "gateway-api",
    ]);
  });

  it.each([
    ["header:x-canary=always", { kind: "header", name: "x-canary", match: "exact", value: "always" }],
    ["header:x-canary^=alw", { kind: "header", name: "x-canary", match: "prefix", value: "alw" }],
    [
      "header:user-agent~=.*Android.*",
      { kind: "header", name: "user-agent", match: "regex", value: ".*Android.*" },
    ],
    ["cookie:user=jason", { kind: "cookie", name: "user", match: "exact", value: "jason" }],
    ["query:tier^=gold", { kind: "query", name: "tier", match: "prefix", value: "gold" }],
    ["uri^=/api", { kind: "uri", match: "prefix", value: "/api" }],
    ["uri=/api/v2", { kind: "uri", match: "exact", value: "/api/v2" }],
    ["os:android,ios", { kind: "os", systems: ["android", "ios"] }],
  ])("reads the condition %s", (condition, rule) => {
    const parsed = parseNewArgs("canary", words(`bookinfo/reviews version=v2 image=a:1 ${condition}`));
    expect(parsed.ok && parsed.value.traffic).toEqual({ kind: "match", rules: [rule], word: condition });
  });

  it("reads per-container images, mirror and serve", () => {
    const images = parseNewArgs("canary", words("ns/web version=v3 image.app=a:3 image.sidecar=b:3"));
    expect(images.ok && images.value.images).toEqual({ app: "a:3", sidecar: "b:3" });
    const mirror = parseNewArgs("mirror", words("ns/web version=v3 image=a:3 mirror=30%"));
    expect(mirror.ok && mirror.value.traffic).toEqual({ kind: "mirror", percent: 30, word: "mirror=30%" });
    const serve = parseNewArgs("blue-green", words("ns/web version=v3 image=a:3 serve=new"));
    expect(serve.ok && serve.value.traffic).toEqual({ kind: "serve", version: "new", word: "serve=new" });
  });

  it.each([
    ["canary", "", "Start with the service as `<namespace>/<service>`."],
    [
      "canary",
      "reviews version=v2 image=a:1",
      "Start with the service as `<namespace>/<service>`, not `reviews`.",
    ],
    [
      "canary",
      "bookinfo/ version=v2 image=a:1",
      "Start with the service as `<namespace>/<service>`, not `bookinfo/`.",
    ],
    ["canary", "bookinfo/reviews image=a:1", "Say which version this is, e.g. `version=v2`."],
    ["canary", "bookinfo/reviews version=v2", "Give the new image, e.g. `image=registry/app:v2`."],
    [
      "canary",
      "bookinfo/reviews version=v2 image=a:1 replicas=two",
      "`replicas=two`: replicas are a whole number, e.g. replicas=2.",
    ],
    [
      "canary",
      "bookinfo/reviews version=v2 image=a:1 weight=x",
      "`weight=x`: give a whole percentage, e.g. weight=20.",
    ],
    [
      "mirror",
      "bookinfo/reviews version=v2 image=a:1 weight=20",
      "`weight=20`: only a canary takes a weight.",
    ],
    [
      "canary",
      "bookinfo/reviews version=v2 image=a:1 mirror=20",
      "`mirror=20`: only a mirror release mirrors.",
    ],
    [
      "canary",
      "bookinfo/reviews version=v2 image=a:1 serve=v2",
      "`serve=v2`: only a blue-green release switches versions.",
    ],
    [
      "mirror",
      "bookinfo/reviews version=v2 image=a:1 header:x=y",
      "`header:x=y`: only a canary sends requests by conditions.",
    ],
    [
      "canary",
      "bookinfo/reviews version=v2 image=a:1 os:symbian",
      "`os:symbian`: name client systems from windows, linux, macos, android, ios.",
    ],
    [
      "canary",
      "bookinfo/reviews version=v2 image=a:1 weight=20 header:x=y",
      "`weight=20`: give either a weight or conditions, not both.",
    ],
    [
      "canary",
      "bookinfo/reviews version=v2 image=a:1 speed=fast",
      "`speed=fast` is not an argument of /release new: use name=, version=, image=, replicas=, weight=, mirror=, serve= or a condition such as header:x-canary=always.",
    ],
  ])("%s %j → %s", (strategy, text, problem) => {
    expect(parseNewArgs(strategy as "canary", text ? words(text) : [])).toEqual({ ok: false, problem });
  });

  it("turns the traffic words into the first traffic change", () => {
    expect(trafficPolicy({ kind: "weight", percent: 20, word: "" }, "canary", "v1", "v2")).toEqual({
      kind: "weights",
      weights: { v1: 80, v2: 20 },
    });
    expect(trafficPolicy({ kind: "weight", percent: 0, word: "" }, "canary", "v1", "v2")).toBeUndefined();
    expect(trafficPolicy(undefined, "canary", "v1", "v2")).toBeUndefined();
    expect(trafficPolicy(undefined, "mirror", "v1", "v2")).toEqual({
      kind: "mirror",
      percent: 100,
      to: "v2",
    });
    expect(trafficPolicy({ kind: "serve", version: "new", word: "" }, "blue-green", "v1", "v2")).toEqual({
      kind: "serve",
      version: "v2",
    });
  });
});

describe("router= in the one-line /release new", () => {
  it("takes any router kind", () => {
    for (const kind of ["istio", "gateway-api", "kubesphere", "replicas"]) {
      const parsed = parseNewArgs("canary", words(`bookinfo/reviews version=v2 image=a:1 router=${kind}`));
      expect(parsed.ok && parsed.value.router).toBe(kind);
    }
  });

  it("refuses a router that does not exist, listing those that do", () => {
    expect(parseNewArgs("canary", words("bookinfo/reviews version=v2 image=a:1 router=linkerd"))).toEqual({
      ok: false,
      problem:
        "`router=linkerd`: there is no such traffic router; choose `istio`, `gateway-api`, `kubesphere` or `replicas`.",
    });
  });
});
