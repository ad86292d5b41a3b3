import { createHash } from "node:crypto";
import { type Challenge, parseChallenge } from "./challenge.ts";
import type { RegistryLogin } from "./credentials.ts";

export type RegistryProblem = "timeout" | "unreachable" | "login" | "not-found" | "too-large" | "bad-answer";

/** A registry call that failed, in words that name the registry (never the login). */
export class RegistryError extends Error {
  readonly problem: RegistryProblem;
  constructor(problem: RegistryProblem, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RegistryError";
    this.problem = problem;
  }
}

/** One conversation with a registry: its login, its deadline, and the bearer tokens it was given. */
export interface RegistryCall {
  login?: RegistryLogin;
  signal: AbortSignal;
  tokens?: Map<string, string>;
}

export interface RegistryClientOptions {
  fetch?: typeof fetch;
  /** Largest answer read from a registry or its token service (default 1 MiB). */
  maxBytes?: number;
  /** Most repositories and tags read (default 1000): the API pages beyond that are not asked for. */
  maxEntries?: number;
}

const MANIFESTS = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

interface Manifest {
  mediaType?: string;
  config?: { digest?: string };
  manifests?: { digest?: string; platform?: { os?: string; architecture?: string } }[];
}

/** An image's config blob, as far as Graydesk reads it. */
export interface ImageConfig {
  config?: { ExposedPorts?: Record<string, unknown> };
}

/**
 * The OCI Distribution API, read only: the catalog, a repository's tags, an image's config. Speaks basic auth and
 * the bearer-token challenge (`WWW-Authenticate: Bearer realm=…`); every answer is bounded in size, every call
 * by the caller's signal. Loopback registries are spoken to over plain HTTP, others over HTTPS.
 */
export class OciRegistryClient {
  readonly #fetch: typeof fetch;
  readonly #maxBytes: number;
  readonly #maxEntries: number;

  constructor(options: RegistryClientOptions = {}) {
    this.#fetch = options.fetch ?? fetch;
    this.#maxBytes = options.maxBytes ?? 1024 * 1024;
    this.#maxEntries = options.maxEntries ?? 1000;
  }

  async catalog(host: string, call: RegistryCall): Promise<string[]> {
    const body = await this.#json<{ repositories?: unknown }>(
      host,
      `/v2/_catalog?n=${this.#maxEntries}`,
      call,
    );
    return strings(body.repositories);
  }

  async tags(host: string, repository: string, call: RegistryCall): Promise<string[]> {
    const body = await this.#json<{ tags?: unknown }>(
      host,
      `/v2/${repository}/tags/list?n=${this.#maxEntries}`,
      call,
    );
    return strings(body.tags);
  }

  /** The config blob of an image (a tag or digest); an index picks linux/amd64, else its first image. */
  async imageConfig(
    host: string,
    repository: string,
    reference: string,
    call: RegistryCall,
  ): Promise<ImageConfig> {
    let manifest = await this.#json<Manifest>(
      host,
      `/v2/${repository}/manifests/${reference}`,
      call,
      MANIFESTS,
    );
    if (manifest.manifests) {
      const chosen =
        manifest.manifests.find((m) => m.platform?.os === "linux" && m.platform.architecture === "amd64") ??
        manifest.manifests[0];
      if (!chosen?.digest)
        throw new RegistryError("bad-answer", `${host}/${repository}:${reference} lists no image.`);
      manifest = await this.#json<Manifest>(
        host,
        `/v2/${repository}/manifests/${chosen.digest}`,
        call,
        MANIFESTS,
      );
    }
    const digest = manifest.config?.digest;
    if (!digest?.startsWith("sha256:"))
      throw new RegistryError("bad-answer", `${host}/${repository}:${reference} has no image config.`);
    const bytes = await this.#read(host, `/v2/${repository}/blobs/${digest}`, call);
    if (`sha256:${createHash("sha256").update(bytes).digest("hex")}` !== digest)
      throw new RegistryError("bad-answer", `${host} sent an image config that does not match its digest.`);
    return parse<ImageConfig>(bytes, host);
  }

  async #json<T>(host: string, path: string, call: RegistryCall, accept = "application/json"): Promise<T> {
    return parse<T>(await this.#read(host, path, call, accept), host);
  }

  async #read(host: string, path: string, call: RegistryCall, accept = "application/json"): Promise<Buffer> {
    const url = `${baseUrl(host)}${path}`;
    // Asked without credentials first: the challenge says which login (or which token's scope) this path needs.
    let response = await this.#send(url, call, accept, undefined);
    if (response.status === 401) {
      const challenge = parseChallenge(response.headers.get("www-authenticate"));
      await response.body?.cancel();
      const auth = challenge ? await this.#answer(host, challenge, call) : undefined;
      if (!auth) throw new RegistryError("login", loginWords(host, call));
      response = await this.#send(url, call, accept, auth);
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw new RegistryError("login", loginWords(host, call));
    }
    if (response.status === 404) {
      await response.body?.cancel();
      throw new RegistryError(
        "not-found",
        `${host} has no ${path.split("/").slice(2, -2).join("/") || "such entry"}.`,
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new RegistryError("bad-answer", `${host} answered HTTP ${response.status}.`);
    }
    return this.#bounded(response, host);
  }

  /** The Authorization a challenge asks for: the login as basic auth, or a token from the realm it names. */
  async #answer(host: string, challenge: Challenge, call: RegistryCall): Promise<string | undefined> {
    if (challenge.scheme === "basic") return call.login ? basic(call.login) : undefined;
    const realm = challenge.params.realm;
    if (!realm || !/^https?:\/\//i.test(realm)) return undefined;
    const url = new URL(realm);
    if (challenge.params.service) url.searchParams.set("service", challenge.params.service);
    if (challenge.params.scope) url.searchParams.set("scope", challenge.params.scope);
    const cached = call.tokens?.get(url.href);
    if (cached) return `Bearer ${cached}`;
    const response = await this.#send(
      url.href,
      call,
      "application/json",
      call.login ? basic(call.login) : undefined,
    );
    if (!response.ok) {
      await response.body?.cancel();
      throw new RegistryError("login", loginWords(host, call));
    }
    const body = parse<{ token?: unknown; access_token?: unknown }>(
      await this.#bounded(response, host),
      host,
    );
    const token = typeof body.token === "string" ? body.token : body.access_token;
    if (typeof token !== "string" || token === "")
      throw new RegistryError("bad-answer", `The token service of ${host} sent no token.`);
    call.tokens ??= new Map();
    call.tokens.set(url.href, token);
    return `Bearer ${token}`;
  }

  async #send(url: string, call: RegistryCall, accept: string, auth: string | undefined): Promise<Response> {
    const host = new URL(url).host;
    try {
      return await this.#fetch(url, {
        headers: { accept, ...(auth ? { authorization: auth } : {}) },
        signal: call.signal,
        redirect: "follow",
      });
    } catch (error) {
      if (call.signal.aborted)
        throw new RegistryError("timeout", `${host} did not answer in time.`, { cause: error });
      throw new RegistryError("unreachable", `${host} could not be reached.`, { cause: error });
    }
  }

  async #bounded(response: Response, host: string): Promise<Buffer> {
    const tooLarge = () => new RegistryError("too-large", `${host} sent more than ${this.#maxBytes} bytes.`);
    if (Number(response.headers.get("content-length") ?? 0) > this.#maxBytes) {
      await response.body?.cancel();
      throw tooLarge();
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body?.getReader();
    try {
      while (reader) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > this.#maxBytes) {
          await reader.cancel();
          throw tooLarge();
        }
        chunks.push(value);
      }
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      throw new RegistryError("timeout", `${host} did not finish its answer in time.`, { cause: error });
    }
    return Buffer.concat(chunks);
  }
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(:\d+)?$/i;

export function baseUrl(host: string): string {
  return `${LOOPBACK.test(host) ? "http" : "https"}://${host === "docker.io" ? "registry-1.docker.io" : host}`;
}

const basic = (login: RegistryLogin) =>
  `Basic ${Buffer.from(`${login.username}:${login.password}`).toString("base64")}`;

function loginWords(host: string, call: RegistryCall): string {
  return call.login
    ? `${host} refused the registry login.`
    : `${host} needs a login: choose its image pull Secret.`;
}

function parse<T>(bytes: Buffer, host: string): T {
  try {
    return JSON.parse(bytes.toString("utf8")) as T;
  } catch (error) {
    throw new RegistryError("bad-answer", `${host} sent something that is not JSON.`, { cause: error });
  }
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
