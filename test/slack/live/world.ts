import { DEFAULT_WINDOW } from "../../../src/telemetry/index.ts";
import { loadBookinfo } from "../../harness/bookinfo.ts";
import { startTestGraydesk } from "../../harness/graydesk.ts";
import { startKubeServer } from "../../harness/kube/index.ts";
import { startSlackApiServer } from "../../harness/slack/index.ts";
import {
  answersFor,
  type RecordedPrometheus,
  startRecordedPrometheus,
} from "../../telemetry/recorded-prometheus.ts";
import { ALICE, BOB, CAROL, DAVE, POLICY, type World } from "../desk/world.ts";

/** The recorded answer for each query Graydesk sends about bookinfo/reviews (80/20, v2 failing 1 in 5). */
export function reviewsAnswers(): (query: string, path: string) => string | undefined {
  return answersFor([{ namespace: "bookinfo", service: "reviews" }], DEFAULT_WINDOW.rate);
}

export interface LiveWorld extends World {
  prometheus: RecordedPrometheus | undefined;
}

/**
 * The desk world (Bookinfo reviews v1, Slack, Graydesk with the Bookinfo policy) with PROMETHEUS_URL aimed at a
 * stand-in that answers with recorded Prometheus responses, or with no PROMETHEUS_URL at all.
 */
export async function startLiveWorld(options: {
  prometheus: boolean;
  jaegerUrl?: string;
}): Promise<LiveWorld> {
  const kube = await startKubeServer({ podReadyDelayMs: 20 });
  await loadBookinfo(kube.kubeConfig(), "bookinfo", { reviewsVersions: ["v1"], withDestinationRule: true });
  const api = await startSlackApiServer();
  api.setUsers([ALICE, BOB, CAROL, DAVE]);
  const prometheus = options.prometheus ? await startRecordedPrometheus(reviewsAnswers()) : undefined;
  const clock = {
    now: Date.now(),
    advance(ms: number) {
      clock.now += ms;
    },
  };
  const app = await startTestGraydesk(api, {
    kubeconfig: kube.kubeconfigPath,
    policyFile: POLICY,
    clock: () => new Date(clock.now),
    ...(prometheus ? { prometheusUrl: prometheus.url } : {}),
    ...(options.jaegerUrl ? { jaegerUrl: options.jaegerUrl } : {}),
  });
  return {
    kube,
    api,
    app,
    clock,
    prometheus,
    async close() {
      await app.stop();
      await prometheus?.close();
      await api.close();
      await kube.close();
    },
  };
}
