// A DATA_DIR Graydesk cannot create: the real entry point names the directory and exits non-zero.
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readStateDir, recordPath } from "../../src/store/index.ts";
import { runEntryPoint } from "../harness/entry-point.ts";
import { tempDir } from "../harness/temp-dir.ts";

describe("DATA_DIR that cannot be created", () => {
  it("below a regular file (ENOTDIR): a clear error naming the directory, non-zero exit", async () => {
    const file = path.join(tempDir("graydesk-datadir-"), "not-a-dir");
    writeFileSync(file, "a file, not a directory\n");
    const dataDir = path.join(file, "data");
    const { code, stderr } = await runEntryPoint({
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

describe("DATA_DIR that stops taking writes while Graydesk runs", () => {
  it.each([
    // A record's file is written to a temporary file and renamed over the old one (see record-files.ts):
    // a directory in the temporary file's place makes the write fail, as a read-only DATA_DIR does.
    ["not writable", (tmp: string) => mkdirSync(tmp), /writing .*C0RELEASES\.json failed \(EISDIR\)/],
    // /dev/full answers every write with ENOSPC, exactly as a full disk does.
    [
      "full",
      (tmp: string) => symlinkSync("/dev/full", tmp),
      /writing .*C0RELEASES\.json failed \(the disk is full\)/,
    ],
  ])(
    "%s: the user is told plainly, nothing is half-recorded, the file stays whole; it works again once fixed",
    async (_name, spoil, message) => {
      const { startKubeServer } = await import("../harness/kube/index.ts");
      const { startSlackApiServer } = await import("../harness/slack/index.ts");
      const { startTestGraydesk } = await import("../harness/graydesk.ts");
      const { CoreV1Api } = await import("@kubernetes/client-node");
      const kube = await startKubeServer();
      const api = await startSlackApiServer();
      const dataDir = tempDir("graydesk-datadir-");
      const app = await startTestGraydesk(api, { kubeconfig: kube.kubeconfigPath, dataDir });
      try {
        await kube
          .kubeConfig()
          .makeApiClient(CoreV1Api)
          .createNamespace({ body: { metadata: { name: "bookinfo" } } });
        // The channel's record, which `config namespace` writes.
        const stateFile = recordPath(dataDir, "channels", "C0RELEASES");
        const onDisk = () => (existsSync(stateFile) ? readFileSync(stateFile, "utf8") : "(none)");
        const before = onDisk();
        const channelsBefore = structuredClone(app.graydesk.store.data().channels);
        const tmp = path.join(path.dirname(stateFile), `.${path.basename(stateFile)}.tmp`);
        spoil(tmp);

        api.reset();
        const reply = await app.slack.command("/release", "config namespace bookinfo");
        expect(reply.status).toBe(200);
        const answer = await api.waitFor("response_url", undefined, 5000);
        expect(String(answer.args.text)).toMatch(message);
        expect(String(answer.args.text)).toContain("Nothing was changed");
        expect(app.graydesk.store.data().channels).toEqual(channelsBefore);
        expect(onDisk()).toBe(before);
        expect(readStateDir(dataDir).channels).toEqual(channelsBefore);

        rmSync(tmp, { recursive: true, force: true });
        api.reset();
        await app.slack.command("/release", "config namespace bookinfo");
        const fixed = await api.waitFor("response_url", undefined, 5000);
        expect(String(fixed.args.text)).not.toContain("could not save");
        expect(JSON.stringify(readStateDir(dataDir).channels)).toContain("bookinfo");
      } finally {
        await app.stop();
        await api.close();
        await kube.close();
      }
    },
  );
});
