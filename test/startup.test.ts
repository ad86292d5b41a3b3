import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compileCache, PROCESS_START_MS, ROOT, runEntryPoint } from "./harness/entry-point.ts";
import { tempDir } from "./harness/temp-dir.ts";

// Each test runs the entry point: on a loaded machine that alone may take most of a minute.
describe("start-up", { timeout: PROCESS_START_MS + 60_000 }, () => {
  it("prints one clear line per missing setting and exits non-zero", async () => {
    const { code, stderr } = await runEntryPoint({});
    expect(code).toBe(2);
    const problems = stderr.split("\n").filter((l) => l.startsWith("  - "));
    expect(problems).toEqual([
      expect.stringMatching(
        /^ {2}- SLACK_BOT_TOKEN is missing: .*\(for example SLACK_BOT_TOKEN=xoxb-<bot token>\)$/,
      ),
      expect.stringMatching(
        /^ {2}- SLACK_APP_TOKEN is missing: .*\(for example SLACK_APP_TOKEN=xapp-<app token>\)$/,
      ),
    ]);
  });

  it("stops on a corrupt store file with a clear message and leaves the file byte-for-byte unchanged", async () => {
    const dataDir = tempDir("graydesk-start-");
    const file = path.join(dataDir, "graydesk.json");
    const corrupt = Buffer.from('{"schemaVersion":1,"jobs":{"j1":{"id":"j1"\u0000\u00ff', "latin1");
    writeFileSync(file, corrupt);
    const { code, stderr } = await runEntryPoint({
      SLACK_BOT_TOKEN: "xoxb-test",
      SLACK_SIGNING_SECRET: "secret",
      PORT: "3999",
      SLACK_MODE: "http",
      DATA_DIR: dataDir,
    });
    expect(stderr).toContain(`Graydesk cannot start: ${file} is not valid JSON`);
    expect(stderr).toContain("will not overwrite it");
    expect(code).toBe(3);
    expect(readFileSync(file).equals(corrupt)).toBe(true);
  });
});

describe("shutdown", { timeout: 2 * PROCESS_START_MS }, () => {
  it("stops on SIGTERM, flushes and exits 0", async () => {
    const { startSlackApiServer, freePort } = await import("./harness/slack/index.ts");
    const { unreachableKubeconfig } = await import("./harness/graydesk.ts");
    const api = await startSlackApiServer();
    const port = await freePort();
    const dataDir = tempDir("graydesk-sigterm-");
    const child = spawn(process.execPath, ["src/main.ts"], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        TMPDIR: tmpdir(),
        NODE_COMPILE_CACHE: compileCache(),
        SLACK_BOT_TOKEN: api.bot.token,
        SLACK_SIGNING_SECRET: "secret",
        PORT: String(port),
        SLACK_API_URL: api.url,
        KUBECONFIG: unreachableKubeconfig(),
        DATA_DIR: dataDir,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    try {
      for (const deadline = Date.now() + PROCESS_START_MS; Date.now() < deadline; ) {
        const up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        if (up) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(stdout).toContain('"msg":"stopping: no new requests, finishing work in flight"');
      expect(stdout).toContain('"msg":"stopped"');
      expect(JSON.parse(readFileSync(path.join(dataDir, "state", "meta.json"), "utf8")).schemaVersion).toBe(
        1,
      );
      expect(stdout).not.toContain(api.bot.token);
    } finally {
      child.kill("SIGKILL");
      await api.close();
    }
  });
});

describe("a port already taken", () => {
  it("fails the start with EADDRINUSE and lets go of DATA_DIR, so the same data starts on another port", async () => {
    const { createServer } = await import("node:net");
    const { startSlackApiServer } = await import("./harness/slack/index.ts");
    const { unreachableKubeconfig, startTestGraydesk } = await import("./harness/graydesk.ts");
    const { startGraydesk } = await import("../src/graydesk.ts");
    const { createLogger } = await import("../src/log.ts");
    const { Writable } = await import("node:stream");
    const api = await startSlackApiServer();
    const taken = createServer();
    const port = await new Promise<number>((resolve) =>
      taken.listen(0, "127.0.0.1", () => resolve((taken.address() as { port: number }).port)),
    );
    const dataDir = tempDir("graydesk-port-");
    const quiet = new Writable({ write: (_c, _e, done) => done() });
    try {
      await expect(
        startGraydesk(
          {
            slack: {
              botToken: api.bot.token,
              mode: "http",
              signingSecret: "secret",
              port,
              apiUrl: api.url,
            },
            kube: { kubeconfig: unreachableKubeconfig() },
            dataDir,
            store: "lowdb",
            logLevel: "error",
            shutdownTimeoutMs: 1_000,
          },
          createLogger("error", quiet),
          { timings: { outbox: { retry: { firstMs: 20, maxMs: 200 }, pollMs: 20 }, chartRedraws: false } },
        ),
      ).rejects.toMatchObject({ code: "EADDRINUSE" });
      // The single-writer lock was released (another process could take DATA_DIR now), and the same data
      // starts again on another port.
      const { LOCK_FILE } = await import("../src/store/data-dir-lock.ts");
      const { existsSync } = await import("node:fs");
      expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
      const again = await startTestGraydesk(api, { dataDir });
      try {
        const health = await fetch(`${again.baseUrl}/healthz`);
        expect(health.status).toBe(200);
      } finally {
        await again.stop();
      }
    } finally {
      taken.close();
      await api.close();
    }
  });
});
