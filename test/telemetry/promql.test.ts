import { describe, expect, it } from "vitest";
import { promql } from "../../src/telemetry/index.ts";

const reviews = [{ namespace: "bookinfo", service: "reviews" }];
const G =
  "destination_service_namespace, destination_service_name, destination_version, destination_workload";
const DEST =
  'istio_requests_total{reporter="destination",destination_service_namespace="bookinfo",destination_service_name="reviews"}';
const SRC =
  'istio_requests_total{reporter="source",destination_service_namespace="bookinfo",destination_service_name="reviews"}';
const SEEN = `sum by (${G}) (rate(${DEST}[1m]))`;
const SENT = `sum by (${G}) (rate(${SRC}[1m]))`;
const MIRRORED = `clamp_min(${SEEN} - (${SENT} or ${SEEN} * 0), 0)`;

describe("PromQL builders", () => {
  it("request rate: destination-reported, grouped by service and version, never by canonical revision", () => {
    expect(promql.requestRate(reviews, "1m")).toBe(SEEN);
    expect(promql.requestRate(reviews, "1m")).not.toContain("canonical_revision");
  });

  it("sent rate: what callers' sidecars reported, which never includes mirrored copies", () => {
    expect(promql.sentRate(reviews, "1m")).toBe(SENT);
  });

  it("mirrored rate: seen minus sent, a pure mirror target counting from zero", () => {
    expect(promql.mirroredRate(reviews, "1m")).toBe(MIRRORED);
  });

  it("served share: served rate over the service's total served rate", () => {
    const served = `(${SEEN} - ${MIRRORED})`;
    expect(promql.servedShare(reviews, "1m")).toBe(
      `${served} / ignoring(destination_version, destination_workload) group_left sum by (destination_service_namespace, destination_service_name) (${served})`,
    );
  });

  it("success rate: non-5xx over all requests", () => {
    const ok = `sum by (${G}) (rate(istio_requests_total{reporter="destination",destination_service_namespace="bookinfo",destination_service_name="reviews",response_code!~"5.."}[1m]))`;
    expect(promql.successRate(reviews, "1m")).toBe(`${ok} / ${SEEN}`);
  });

  it.each([
    [0.5, "0.5"],
    [0.9, "0.9"],
    [0.99, "0.99"],
  ])("latency quantile %s from Istio's millisecond histogram", (q, text) => {
    expect(promql.latencyQuantile(reviews, "30s", q)).toBe(
      `histogram_quantile(${text}, sum by (${G}, le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_service_namespace="bookinfo",destination_service_name="reviews"}[30s])))`,
    );
  });

  it("many jobs: one selector listing every namespace and service, sorted and regex-escaped", () => {
    expect(
      promql.serviceSelector([
        { namespace: "shop", service: "cart.v2" },
        { namespace: "bookinfo", service: "reviews" },
        { namespace: "shop", service: "reviews" },
      ]),
    ).toBe('destination_service_namespace=~"bookinfo|shop",destination_service_name=~"cart\\\\.v2|reviews"');
  });

  it("a health snapshot is seven queries, whatever the number of jobs", () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ namespace: `ns-${i}`, service: "web" }));
    expect(Object.keys(promql.healthQueries(many, "1m"))).toEqual([
      "rps",
      "mirroredRps",
      "share",
      "successRate",
      "p50",
      "p90",
      "p99",
    ]);
  });

  it.each([
    ["30 s", '"30 s" is not a Prometheus duration such as 30s, 1m or 1h'],
    ["1m]) or vector(1", '"1m]) or vector(1" is not a Prometheus duration such as 30s, 1m or 1h'],
    ["", '"" is not a Prometheus duration such as 30s, 1m or 1h'],
  ])("refuses the window %j", (window, message) => {
    expect(() => promql.requestRate(reviews, window)).toThrow(message);
  });

  it("refuses a quantile outside (0, 1) and an empty job list", () => {
    expect(() => promql.latencyQuantile(reviews, "1m", 99)).toThrow("quantile 99 is not between 0 and 1");
    expect(() => promql.requestRate([], "1m")).toThrow("a telemetry query needs at least one service");
  });
});
