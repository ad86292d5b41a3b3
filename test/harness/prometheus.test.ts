import { describe, expect, it } from "vitest";
import { PrometheusUnavailableError, startPrometheus } from "./prometheus.ts";

describe("startPrometheus", () => {
  it("fails with an install hint when the binary is missing", async () => {
    const start = startPrometheus({ scrapeTargets: ["127.0.0.1:1"], binary: "/nonexistent/prometheus" });
    await expect(start).rejects.toBeInstanceOf(PrometheusUnavailableError);
    await expect(start).rejects.toThrow(/apt-get install -y prometheus/);
  });
});
