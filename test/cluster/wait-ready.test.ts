// Waiting for a Deployment to be ready, against the Kubernetes API test server: one read when it is, one watch
// while it is not, polls where the watch is refused; stuck pods, the time limit and shutdown end the wait.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClusterClient, type KubeObject, waitReady } from "../../src/cluster/index.ts";
import { timedOut } from "../../src/cluster/readiness.ts";
import { apiCalls } from "../desk/world.ts";
import { loadBookinfo } from "../harness/bookinfo.ts";
import { type KubeTestServer, startKubeServer } from "../harness/kube/index.ts";

const NS = "bookinfo";
const deployment = (name: string) => ({ apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name });
/** Far longer than any test runs: a wait that resolves did so from the watch, not from a poll. */
const NEVER = 600_000;

describe("waitReady", () => {
  let kube: KubeTestServer;
  let client: ClusterClient;
  let copies = 0;

  /** A new Deployment like reviews-v1 (its own pods), as a job's creation makes one. */
  async function newDeployment(image?: string): Promise<string> {
    const stable = (await client.get<KubeObject>(deployment("reviews-v1"))) as KubeObject;
    const name = `reviews-copy-${++copies}`;
    const labels = { app: "reviews", version: name };
    const template = stable.spec?.template as { spec: { containers: { image?: string }[] } };
    if (image) for (const container of template.spec.containers) container.image = image;
    await client.create({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: NS, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: { ...template, metadata: { labels } },
      },
    });
    return name;
  }

  /** A new Deployment whose image cannot be pulled, waited for as just created: its name and the wait's error. */
  async function waitForBadImage(image: string): Promise<{ name: string; error: unknown }> {
    kube.markImageBad(image);
    const name = await newDeployment(image);
    kube.resetRequests();
    const error = await waitReady(client, NS, name, {
      timeoutMs: NEVER,
      pollMs: 50,
      justCreated: true,
    }).catch((e: unknown) => e);
    return { name, error };
  }

  beforeAll(async () => {
    // A progress deadline no test reaches: what ends a wait here is what each test sets up.
    kube = await startKubeServer({ podReadyDelayMs: 300, progressDeadlineMs: NEVER });
    await loadBookinfo(kube.kubeConfig(), NS, { reviewsVersions: ["v1"] });
    client = new ClusterClient(kube.kubeConfig());
  });
  afterAll(() => kube.close());

  it("costs one read when the Deployment is ready", async () => {
    kube.resetRequests();
    await waitReady(client, NS, "reviews-v1", { timeoutMs: 1000, pollMs: 10 });
    expect(apiCalls(kube)).toEqual(["get deployments/reviews-v1"]);
  });

  it("watches a Deployment just created, with no read before: one request, over as soon as it is ready", async () => {
    const name = await newDeployment();
    kube.resetRequests();
    const ready = await waitReady(client, NS, name, { timeoutMs: NEVER, pollMs: NEVER, justCreated: true });
    expect(ready.status?.readyReplicas).toBe(1);
    expect(apiCalls(kube)).toEqual(["watch deployments"]);
    expect(kube.requests[0]?.query).toContain("fieldSelector=metadata.name%3D");
  });

  it("reads the Deployment every poll where the role grants no watch", async () => {
    kube.setUser("no-watch-token", {
      name: "graydesk-no-watch",
      rules: [{ verbs: ["get", "list"], apiGroups: ["apps", ""], resources: ["deployments", "pods"] }],
    });
    const limited = new ClusterClient(kube.kubeConfig("no-watch-token"));
    const name = await newDeployment();
    kube.resetRequests();
    const slept: number[] = [];
    const sleep = (ms: number) => {
      slept.push(ms);
      return new Promise<void>((resolve) => setTimeout(resolve, ms));
    };
    const ready = await waitReady(limited, NS, name, {
      timeoutMs: 30_000,
      pollMs: 20,
      sleep,
      justCreated: true,
    });
    expect(ready.status?.readyReplicas).toBe(1);
    const calls = apiCalls(kube);
    expect(calls[0]).toBe("watch deployments");
    expect(kube.requests[0]?.status).toBe(403);
    expect(calls.slice(1).every((call) => call === `get deployments/${name}` || call === "list pods")).toBe(
      true,
    );
    expect(calls).toContain(`get deployments/${name}`);
    // Each read after a poll's pause, the first one included.
    expect(slept.length).toBeGreaterThanOrEqual(calls.filter((c) => c.startsWith("get ")).length);

    // The refusal is remembered: the next wait in the namespace reads, without asking to watch again.
    const next = await newDeployment();
    kube.resetRequests();
    await waitReady(limited, NS, next, { timeoutMs: 30_000, pollMs: 20, justCreated: true });
    expect(apiCalls(kube).filter((call) => call.startsWith("watch "))).toEqual([]);
    expect(apiCalls(kube)).toContain(`get deployments/${next}`);
  });

  it("opens the watch anew when the API server ends it, rather than reading every poll", async () => {
    const image = "docker.io/istio/examples-bookinfo-reviews-v6:0.0.0";
    kube.markImageBad(image);
    const name = await newDeployment(image);
    kube.resetRequests();
    // Each watch ends after 2 s; the Deployment never becomes ready, and no poll or pod list is due.
    const error = await waitReady(client, NS, name, {
      timeoutMs: 5_000,
      pollMs: NEVER,
      watchSeconds: 2,
      justCreated: true,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "not-ready", retryable: true });
    const calls = apiCalls(kube);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.every((call) => call === "watch deployments")).toBe(true);
    expect(kube.requests[0]?.query).toContain("timeoutSeconds=2");
  });

  it("says what it saw when the time runs out: the counts of the Deployment as last read, none before any", () => {
    const facts = { what: "Deployment bookinfo/reviews-v2", timeoutMs: 300_000, deadline: 0 };
    expect(timedOut(undefined, facts).message).toBe(
      "Deployment bookinfo/reviews-v2 is not ready after 300 s; no traffic was moved to it. Retry when its pods are ready.",
    );
    const seen = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "reviews-v2" },
      spec: { replicas: 3 },
      status: { readyReplicas: 1 },
    } as KubeObject;
    expect(timedOut(seen, facts)).toMatchObject({
      code: "not-ready",
      retryable: true,
      message: expect.stringMatching(/^Deployment bookinfo\/reviews-v2 has 1 of 3 pods ready after 300 s;/),
    });
  });

  it("gives up retryably when the pods are not ready in time", async () => {
    // Two more pods whose image is still being pulled: not ready, for as long as the test holds the image.
    const image = "docker.io/istio/examples-bookinfo-reviews-v1:slow-pull";
    const pull = kube.holdImage(image);
    const stable = (await client.get<KubeObject>(deployment("reviews-v1"))) as KubeObject;
    const template = structuredClone(stable.spec?.template) as { spec: { containers: { image?: string }[] } };
    for (const container of template.spec.containers) container.image = image;
    const original = structuredClone(stable.spec?.template);
    await client.mergePatch(deployment("reviews-v1"), { spec: { replicas: 3, template } });
    try {
      const error = await waitReady(client, NS, "reviews-v1", { timeoutMs: 60, pollMs: 20 }).catch(
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: "not-ready", retryable: true });
      expect((error as Error).message).toMatch(
        /Deployment bookinfo\/reviews-v1 has \d of 3 pods ready after 0 s; no traffic was moved to it/,
      );
    } finally {
      pull.release();
    }
    await waitReady(client, NS, "reviews-v1", { timeoutMs: 30_000, pollMs: 20 });
    await client.mergePatch(deployment("reviews-v1"), { spec: { replicas: 1, template: original } });
    await waitReady(client, NS, "reviews-v1", { timeoutMs: 30_000, pollMs: 20 });
  });

  it("fails at once, not retryably, when a pod cannot pull its image: its pods are listed while it is slow", async () => {
    const { error } = await waitForBadImage("docker.io/istio/examples-bookinfo-reviews-v9:0.0.0");
    expect(error).toMatchObject({ code: "not-ready", retryable: false });
    expect((error as Error).message).toMatch(/waiting with ImagePullBackOff/);
    // Found from the watch and the pods' list, not by waiting out the time limit.
    expect(apiCalls(kube)[0]).toBe("watch deployments");
    expect(apiCalls(kube)).toContain("list pods");
  });

  it("says the kubelet's waiting message escaped once: a hostile image name cannot ping or link", async () => {
    // The kubelet quotes the image it cannot pull; the image is whatever the Deployment's owner wrote.
    const { name, error } = await waitForBadImage("registry.example/reviews:<!channel>&<@U1><https://x|y>");
    expect(error).toMatchObject({ code: "not-ready", retryable: false });
    const message = (error as Error).message;
    expect(message).toContain(`did not become ready: container reviews of pod ${name}-`);
    expect(message).toContain(
      'waiting with ImagePullBackOff (Back-off pulling image "registry.example/reviews:&lt;!channel&gt;&amp;&lt;@U1&gt;&lt;https://x|y&gt;").',
    );
    expect(message).not.toMatch(/<!channel>|<@U1>|<https:/);
    expect(message).not.toMatch(/&(?!amp;|lt;|gt;)/);
  });

  it("stops waiting, retryably, when Graydesk shuts down", async () => {
    const image = "docker.io/istio/examples-bookinfo-reviews-v8:0.0.0";
    kube.markImageBad(image);
    const name = await newDeployment(image);
    const stop = new AbortController();
    const waiting = waitReady(client, NS, name, {
      timeoutMs: NEVER,
      pollMs: NEVER,
      justCreated: true,
      signal: stop.signal,
    }).catch((e: unknown) => e);
    stop.abort();
    expect(await waiting).toMatchObject({ code: "interrupted", retryable: true });
  });

  it("fails when the Deployment is deleted while it is awaited", async () => {
    const image = "docker.io/istio/examples-bookinfo-reviews-v7:0.0.0";
    kube.markImageBad(image);
    const name = await newDeployment(image);
    kube.resetRequests();
    const waiting = waitReady(client, NS, name, { timeoutMs: NEVER, pollMs: NEVER, justCreated: true }).catch(
      (e: unknown) => e,
    );
    // Deleted once the watch is open: the watch's next event is its deletion.
    while (!kube.requests.some((r) => r.verb === "watch")) await new Promise((r) => setTimeout(r, 5));
    await client.delete(deployment(name));
    expect(await waiting).toMatchObject({ code: "not-found" });
  });
});
