// Sends synthetic requests through the mesh as Envoy sidecars would route, report and trace them.
import type { KubeConfig } from "@kubernetes/client-node";
import { type ClusterReader, KubeClusterReader } from "./cluster-reader.ts";
import { serviceFqdn } from "./hosts.ts";
import { defineIstioMetrics, recordRequest } from "./istio-telemetry.ts";
import { MetricsRegistry } from "./metrics.ts";
import { type Behaviour, BehaviourProfiles, behave } from "./profiles.ts";
import { hex, type Random, seededRandom } from "./random.ts";
import { routeRequest } from "./route.ts";
import { startTelemetryServer, type TelemetryServer } from "./telemetry-server.ts";
import { type Span, sidecarSpan, TraceStore } from "./traces.ts";
import { type RunningTraffic, runTraffic, type TrafficPlan } from "./traffic.ts";
import { addResult, emptyCounts, type SendResult, type TrafficCounts } from "./traffic-counts.ts";
import type { Labels, MeshPod, MeshRequest, MeshSnapshot, MeshSource, Upstream } from "./types.ts";
import { identityOf, type WorkloadIdentity } from "./workload-labels.ts";

export interface MeshSimulatorOptions {
  /** Cluster to read (the Kubernetes API test server's, or any). Ignored when `reader` is given. */
  kubeConfig?: KubeConfig;
  reader?: ClusterReader;
  /** Namespaces to read; all when absent. */
  namespaces?: string[];
  seed?: number;
  /** The calling workload; defaults to `productpage-v1` in the first namespace. */
  source?: { workload: string; namespace?: string; labels?: Labels; serviceAccount?: string };
  profiles?: BehaviourProfiles;
  traceCapacity?: number;
  maxSeries?: number;
  clock?: () => number;
}

export type RequestSource = MeshRequest | ((index: number) => MeshRequest);

const EMPTY: MeshSnapshot = { services: [], pods: [], destinationRules: [], virtualServices: [] };

export class MeshSimulator {
  readonly metrics: MetricsRegistry;
  readonly traces: TraceStore;
  readonly profiles: BehaviourProfiles;
  snapshot: MeshSnapshot = EMPTY;
  #reader: ClusterReader;
  #random: Random;
  #clock: () => number;
  #source: NonNullable<MeshSimulatorOptions["source"]>;
  #defaultNamespace: string;
  #traffic = new Set<RunningTraffic>();
  #server: TelemetryServer | undefined;

  constructor(options: MeshSimulatorOptions) {
    if (!options.reader && !options.kubeConfig)
      throw new Error("MeshSimulator needs a kubeConfig or a reader");
    this.#reader =
      options.reader ?? new KubeClusterReader(options.kubeConfig as KubeConfig, options.namespaces);
    this.#random = seededRandom(options.seed ?? 1);
    this.#clock = options.clock ?? Date.now;
    this.#defaultNamespace = options.namespaces?.[0] ?? "default";
    this.#source = options.source ?? { workload: "productpage-v1" };
    this.profiles = options.profiles ?? new BehaviourProfiles();
    this.metrics = new MetricsRegistry(
      options.maxSeries === undefined ? {} : { maxSeries: options.maxSeries },
    );
    defineIstioMetrics(this.metrics);
    this.traces = new TraceStore(options.traceCapacity);
  }

  /** Reads Services, ready Pods, VirtualServices and DestinationRules again. */
  async refresh(): Promise<MeshSnapshot> {
    this.snapshot = await this.#reader.read();
    return this.snapshot;
  }

  /** The caller's identity, from its pod when the cluster runs it, else from the configured name. */
  callerIdentity(): MeshSource {
    const namespace = this.#source.namespace ?? this.#defaultNamespace;
    const pod = this.snapshot.pods.find(
      (p) => p.workload === this.#source.workload && p.namespace === namespace,
    );
    if (pod)
      return { workload: pod.workload, namespace, labels: pod.labels, serviceAccount: pod.serviceAccount };
    const [app, version] = splitWorkloadName(this.#source.workload);
    return {
      workload: this.#source.workload,
      namespace,
      labels: this.#source.labels ?? { app, version },
      serviceAccount: this.#source.serviceAccount ?? `bookinfo-${app}`,
    };
  }

  #callerPod(): MeshPod | undefined {
    const namespace = this.#source.namespace ?? this.#defaultNamespace;
    return this.snapshot.pods.find((p) => p.workload === this.#source.workload && p.namespace === namespace);
  }

  send(request: MeshRequest): SendResult {
    const caller = this.callerIdentity();
    const callerPod = this.#callerPod();
    const source = identityOf(caller);
    const decision = routeRequest(this.snapshot, request, this.#random, caller);
    const startMs = this.#clock();
    const traceId = hex(this.#random, 32);
    const requestId = hex(this.#random, 32);
    const method = (request.method ?? "GET").toUpperCase();
    const path = request.uri ?? "/";
    const port = request.port ?? decision.service?.ports[0]?.port ?? 80;
    const host = decision.service
      ? serviceFqdn(decision.service.name, decision.service.namespace)
      : request.service;
    const cluster = `outbound|${port}|${decision.subset ?? ""}|${host}`;
    const spanBase = {
      traceId,
      method,
      path,
      requestId,
      upstreamCluster: cluster,
      routeHost: `${host}:${port}`,
    };
    const userAgent = lowerKeys(request.headers)["user-agent"];
    const spans: Span[] = [];

    let served: Behaviour = { status: decision.proxyStatus ?? 503, durationMs: 0.2 + this.#random() * 0.5 };
    let destination: WorkloadIdentity | undefined;
    const clientSpan = sidecarSpan(
      {
        ...spanBase,
        kind: "client",
        proxy: source,
        podName: callerPod?.name ?? `${caller.workload}-0`,
        podIp: callerPod?.ip ?? "10.0.0.2",
        authority: `${request.service}:${port}`,
        status: 0,
        responseFlags: decision.responseFlags,
        startTimeUs: startMs * 1000,
        durationUs: 0,
        ...(userAgent ? { userAgent } : {}),
      },
      this.#random,
    );
    spans.push(clientSpan);
    if (decision.upstream) {
      destination = identityOf(decision.upstream.pod);
      served = behave(
        this.profiles.get(decision.upstream.service.name, podVersion(decision.upstream.pod)),
        this.#random,
      );
      this.#reportServer(source, destination, decision.upstream, served, decision.responseFlags);
      spans.push(
        this.#serverSpan(
          spanBase,
          clientSpan,
          decision.upstream,
          destination,
          served,
          startMs,
          `${request.service}:${port}`,
        ),
      );
    }
    clientSpan.tags["http.status_code"] = String(served.status);
    clientSpan.durationUs = Math.round(served.durationMs * 1000) + 300;
    if (served.status >= 500) clientSpan.tags.error = true;
    recordRequest(this.metrics, {
      reporter: "source",
      source,
      ...(destination ? { destination } : {}),
      ...(decision.service ? { service: decision.service } : {}),
      responseCode: served.status,
      responseFlags: decision.responseFlags,
      durationMs: served.durationMs + 0.3,
    });

    const mirrors: SendResult["mirrors"] = [];
    for (const shadow of decision.mirrors) {
      const shadowIdentity = identityOf(shadow.pod);
      const outcome = behave(this.profiles.get(shadow.service.name, podVersion(shadow.pod)), this.#random);
      // The client sidecar never reports the shadow (its response is dropped); the shadow's own sidecar does.
      this.#reportServer(source, shadowIdentity, shadow, outcome, "-");
      const shadowAuthority = shadowHost(`${request.service}:${port}`);
      spans.push(
        this.#serverSpan(spanBase, clientSpan, shadow, shadowIdentity, outcome, startMs, shadowAuthority),
      );
      mirrors.push({ version: podVersion(shadow.pod), pod: shadow.pod.name, status: outcome.status });
    }
    this.traces.add({ traceId, spans });

    const result: SendResult = {
      status: served.status,
      durationMs: served.durationMs,
      responseFlags: decision.responseFlags,
      mirrors,
      traceId,
    };
    if (decision.upstream) {
      result.version = podVersion(decision.upstream.pod);
      result.pod = decision.upstream.pod.name;
      result.workload = decision.upstream.pod.workload;
    }
    if (mirrors[0]) result.mirroredTo = mirrors[0].version;
    return result;
  }

  /** Sends `n` requests (bounded) and counts what the caller observed. */
  sendMany(n: number, requests: RequestSource): TrafficCounts {
    const counts = emptyCounts();
    for (let i = 0; i < n; i++)
      addResult(counts, this.send(typeof requests === "function" ? requests(i) : requests));
    return counts;
  }

  /** Steady background traffic at `rps`, re-reading the cluster every `refreshMs`, until stopped. */
  startTraffic(plan: TrafficPlan): RunningTraffic {
    const running = runTraffic(plan, {
      send: (request) => this.send(request),
      refresh: () => this.refresh(),
      onStop: () => this.#traffic.delete(running),
    });
    this.#traffic.add(running);
    return running;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#traffic].map((t) => t.stop()));
  }

  /** Serves `/metrics` and the Jaeger query API on a loopback port. */
  async serve(): Promise<TelemetryServer> {
    this.#server ??= await startTelemetryServer({
      metrics: this.metrics,
      traces: this.traces,
      now: this.#clock,
    });
    return this.#server;
  }

  async close(): Promise<void> {
    await this.stop();
    await this.#server?.close();
    this.#server = undefined;
  }

  #reportServer(
    source: WorkloadIdentity,
    destination: WorkloadIdentity,
    upstream: Upstream,
    outcome: Behaviour,
    responseFlags: string,
  ): void {
    recordRequest(this.metrics, {
      reporter: "destination",
      source,
      destination,
      service: upstream.service,
      responseCode: outcome.status,
      responseFlags,
      durationMs: outcome.durationMs,
    });
  }

  #serverSpan(
    base: { traceId: string; method: string; path: string; requestId: string; routeHost: string },
    parent: Span,
    upstream: Upstream,
    identity: WorkloadIdentity,
    outcome: Behaviour,
    startMs: number,
    authority: string,
  ): Span {
    return sidecarSpan(
      {
        ...base,
        parentSpanId: parent.spanId,
        kind: "server",
        proxy: identity,
        podName: upstream.pod.name,
        podIp: upstream.pod.ip,
        authority,
        upstreamCluster: `inbound|${base.routeHost.split(":")[1] ?? "80"}||`,
        status: outcome.status,
        responseFlags: "-",
        startTimeUs: startMs * 1000 + 150,
        durationUs: Math.round(outcome.durationMs * 1000),
      },
      this.#random,
    );
  }
}

/** Versions as the user names them: the pod's `version` label, else Istio's canonical revision. */
export function podVersion(pod: MeshPod): string {
  return pod.labels.version ?? identityOf(pod).canonicalRevision;
}

/** Envoy appends `-shadow` to the host of a mirrored request, before any port. */
export function shadowHost(authority: string): string {
  const at = authority.lastIndexOf(":");
  if (at > 0 && /^\d+$/.test(authority.slice(at + 1)))
    return `${authority.slice(0, at)}-shadow${authority.slice(at)}`;
  return `${authority}-shadow`;
}

function splitWorkloadName(workload: string): [string, string] {
  const m = workload.match(/^(.*)-(v\d+[\w.-]*)$/);
  return m ? [m[1] as string, m[2] as string] : [workload, "unknown"];
}

function lowerKeys(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = v;
  return out;
}
