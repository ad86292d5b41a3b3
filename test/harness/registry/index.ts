// Runs Debian's `docker-registry` (the CNCF Distribution registry) as a child process for e2e tests: loopback port,
// temporary config and storage (removed on close), behind basic auth (htpasswd) or token auth (a token service here).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../slack/free-port.ts";
import { pushImage, type RegistryLogin, type TestImage } from "./push.ts";
import { startTokenService, type TokenService } from "./token-service.ts";

export type { RegistryLogin, TestImage } from "./push.ts";

export const REGISTRY_BINARY = "/usr/bin/docker-registry";

/** The login every test registry accepts. */
export const REGISTRY_LOGIN: RegistryLogin = {
  username: "graydesk-puller",
  password: "registry-test-password",
};
// bcrypt (cost 5) of REGISTRY_LOGIN.password, made once: the registry's htpasswd takes bcrypt only.
const PASSWORD_BCRYPT = "$2b$05$cWzlbc1B/nB1ZMroP7m70OGJ5TZnhICrmud0TQ.C83rkemdGwwAR2";

export interface RunningRegistry {
  /** `127.0.0.1:port`: how image references and pull Secrets name it. */
  host: string;
  url: string;
  auth: "basic" | "token";
  login: RegistryLogin;
  /** The token service (token auth only). */
  tokens?: TokenService;
  push(image: TestImage): Promise<string>;
  close(): Promise<void>;
}

export class RegistryUnavailableError extends Error {
  readonly code = "registry_unavailable";
}

function assertBinary(binary: string): void {
  const probe = spawnSync(binary, ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new RegistryUnavailableError(
      `The registry binary "${binary}" could not be run (${probe.error?.message ?? probe.stderr.trim()}). ` +
        "Install Debian's package with `apt-get install -y docker-registry` (.ci/run does this).",
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

export async function startRegistry(options: {
  auth: "basic" | "token";
  binary?: string;
  readyTimeoutMs?: number;
}): Promise<RunningRegistry> {
  const binary = options.binary ?? REGISTRY_BINARY;
  assertBinary(binary);
  const dir = await mkdtemp(join(tmpdir(), "graydesk-registry-"));
  let tokens: TokenService | undefined;
  let child: ChildProcess | undefined;
  const close = async (): Promise<void> => {
    if (child) await stopProcess(child);
    await tokens?.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    let auth: string[];
    if (options.auth === "basic") {
      await writeFile(join(dir, "htpasswd"), `${REGISTRY_LOGIN.username}:${PASSWORD_BCRYPT}\n`);
      auth = ["  htpasswd:", "    realm: graydesk-test", `    path: ${join(dir, "htpasswd")}`];
    } else {
      tokens = await startTokenService(dir, REGISTRY_LOGIN);
      auth = [
        "  token:",
        `    realm: ${tokens.realm}`,
        `    service: ${tokens.service}`,
        `    issuer: ${tokens.issuer}`,
        `    rootcertbundle: ${tokens.certFile}`,
      ];
    }
    const config = join(dir, "config.yml");
    await writeFile(
      config,
      [
        "version: 0.1",
        "log:",
        "  level: error",
        "  accesslog:",
        "    disabled: true",
        "storage:",
        "  filesystem:",
        `    rootdirectory: ${join(dir, "data")}`,
        "http:",
        `  addr: ${host}`,
        `  secret: ${randomBytes(16).toString("hex")}`,
        "auth:",
        ...auth,
        "",
      ].join("\n"),
    );
    const started = spawn(binary, ["serve", config], { stdio: ["ignore", "ignore", "pipe"] });
    child = started;
    let stderr = "";
    started.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_000);
    });
    const url = `http://${host}`;
    const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
    for (;;) {
      if (started.exitCode !== null)
        throw new RegistryUnavailableError(
          `docker-registry exited with ${started.exitCode}: ${stderr.trim()}`,
        );
      // Up means it answers /v2/ (with its challenge: 401).
      const status = await fetch(`${url}/v2/`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 401 || status === 200) break;
      if (Date.now() > deadline)
        throw new RegistryUnavailableError(`docker-registry was not up within the timeout: ${stderr.trim()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return {
      host,
      url,
      auth: options.auth,
      login: REGISTRY_LOGIN,
      ...(tokens ? { tokens } : {}),
      push: (image) => pushImage(url, REGISTRY_LOGIN, image),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A `kubernetes.io/dockerconfigjson` payload holding the registries' logins. */
export function dockerConfigJson(...registries: { host: string; login: RegistryLogin }[]): string {
  return JSON.stringify({
    auths: Object.fromEntries(
      registries.map(({ host, login }) => [
        host,
        { auth: Buffer.from(`${login.username}:${login.password}`).toString("base64") },
      ]),
    ),
  });
}
