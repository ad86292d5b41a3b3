// Runs Debian's `prometheus` binary as a child process for e2e tests: temp config, temp TSDB, loopback port.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

export interface RunningPrometheus {
  url: string;
  /** An instant query; returns the vector's samples. */
  query(promql: string): Promise<PromSample[]>;
  close(): Promise<void>;
}

export interface PrometheusOptions {
  /** `host:port` targets; each is scraped at `/metrics`. */
  scrapeTargets: string[];
  scrapeIntervalSeconds?: number;
  binary?: string;
  readyTimeoutMs?: number;
}

export class PrometheusUnavailableError extends Error {
  readonly code = "prometheus_unavailable";
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function configYaml(targets: string[], intervalSeconds: number): string {
  return [
    "global:",
    `  scrape_interval: ${intervalSeconds}s`,
    `  evaluation_interval: ${intervalSeconds}s`,
    "scrape_configs:",
    "  - job_name: mesh",
    `    scrape_timeout: ${intervalSeconds}s`,
    "    static_configs:",
    `      - targets: [${targets.map((t) => JSON.stringify(t)).join(", ")}]`,
    "",
  ].join("\n");
}

function assertBinary(binary: string): void {
  const probe = spawnSync(binary, ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new PrometheusUnavailableError(
      `The Prometheus binary "${binary}" could not be run (${probe.error?.message ?? probe.stderr.trim()}). ` +
        "Install Debian's package with `apt-get install -y prometheus` (.ci/run does this).",
    );
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const binary = options.binary ?? "prometheus";
  assertBinary(binary);
  const interval = options.scrapeIntervalSeconds ?? 1;
  const dir = await mkdtemp(join(tmpdir(), "graydesk-prometheus-"));
  const configFile = join(dir, "prometheus.yml");
  await writeFile(configFile, configYaml(options.scrapeTargets, interval));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Debian's build defaults to /etc/prometheus and /var/lib/prometheus; every path is given explicitly instead.
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const close = async (): Promise<void> => {
    await stopProcess(child);
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) {
      await close();
      throw new PrometheusUnavailableError(`prometheus exited with ${child.exitCode}: ${stderr.trim()}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await close();
      throw new PrometheusUnavailableError(`prometheus was not ready within the timeout: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    async query(promql: string): Promise<PromSample[]> {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await res.json()) as {
        status: string;
        error?: string;
        data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      if (body.status !== "success" || !body.data)
        throw new Error(`PromQL ${promql} failed: ${body.error ?? res.status}`);
      return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    close,
  };
}
