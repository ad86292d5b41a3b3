// `npm start` runs src/start.js: an older Node prints one line naming the version it needs instead of failing
// on the `.ts` sources; a new enough Node reads `.env` (the environment wins) and runs src/main.ts.

import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tooOld } from "../src/node-version.js";
import { tempDir } from "./harness/temp-dir.ts";

const ROOT = path.resolve(import.meta.dirname, "..");

describe("npm start", () => {
  it.each([
    ["20.20.2", true],
    ["22.17.1", true],
    ["18.19.0", true],
    ["22.18.0", false],
    ["23.0.0", false],
    ["24.11.1", false],
  ])("Node %s is too old: %s", (version, old) => {
    const line = tooOld(version);
    if (old) {
      expect(line).toBe(
        `Graydesk needs Node.js 22.18.0 or newer (24 LTS recommended) and this is ${version}: see "Quick start" in README.md for getting Node 24.`,
      );
      expect(line?.split("\n")).toHaveLength(1);
    } else expect(line).toBeUndefined();
  });

  it("is the launcher, which older Nodes can parse (no TypeScript, no flags they lack)", () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    // The memory flags are V8's, known to every Node that can parse the launcher; the variable is glibc's
    // (ignored where malloc is not glibc's).
    expect(pkg.scripts.start).toBe(
      "MALLOC_MMAP_THRESHOLD_=131072 node --max-semi-space-size=8 --heap-growing-percent=50 --expose-gc src/start.js",
    );
  });

  it("reads .env from the working directory, the environment winning, and runs the entry point", () => {
    const dir = tempDir("graydesk-start-");
    try {
      writeFileSync(
        path.join(dir, ".env"),
        "SLACK_BOT_TOKEN=xoxb-from-file\nSLACK_APP_TOKEN=xapp-from-file\n",
      );
      const run = spawnSync(process.execPath, [path.join(ROOT, "src", "start.js")], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? "", TMPDIR: tmpdir(), SLACK_APP_TOKEN: "also-not-an-app-token" },
        encoding: "utf8",
        timeout: 60_000,
      });
      // The entry point ran and judged the settings: the bot token came from .env; the app token from the
      // environment, whose value (not the file's valid one) is refused.
      expect(run.status).toBe(2);
      expect(run.stderr).not.toContain("SLACK_BOT_TOKEN");
      expect(run.stderr).toContain("SLACK_APP_TOKEN must start with xapp-");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
