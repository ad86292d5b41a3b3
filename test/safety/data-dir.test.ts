// A DATA_DIR Graydesk cannot create: the real entry point names the directory and exits non-zero.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

function start(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["src/main.ts"], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe("DATA_DIR that cannot be created", () => {
  it("below a regular file (ENOTDIR): a clear error naming the directory, non-zero exit", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "graydesk-datadir-")), "not-a-dir");
    writeFileSync(file, "a file, not a directory\n");
    const dataDir = path.join(file, "data");
    const { code, stderr } = await start({
      SLACK_BOT_TOKEN: "xoxb-test",
      SLACK_SIGNING_SECRET: "secret",
      PORT: "3998",
      SLACK_MODE: "http",
      DATA_DIR: dataDir,
    });
    expect(stderr).toContain(`Graydesk cannot start: cannot create DATA_DIR ${dataDir}`);
    expect(code).not.toBe(0);
  });
});
