// Pushes test images through the registry's HTTP API, as `docker push` does: blobs (a layer and the image config
// with its ExposedPorts), then the manifest under a tag. Speaks the same basic and bearer-token auth as any client.
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";

export interface RegistryLogin {
  username: string;
  password: string;
}

export interface TestImage {
  repository: string;
  tag: string;
  /** `9080/tcp`, `53/udp`…: the image config's ExposedPorts. */
  exposedPorts?: string[];
  /** OCI image manifest (default) or Docker's v2 schema 2. */
  format?: "oci" | "docker";
}

const sha256 = (data: Buffer) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

/** Requests to one registry with a login: answers its 401 challenges with basic auth or a token for the scope. */
export function registrySession(url: string, login: RegistryLogin) {
  const basic = `Basic ${Buffer.from(`${login.username}:${login.password}`).toString("base64")}`;
  const tokens = new Map<string, string>();
  async function authorization(challenge: string): Promise<string> {
    if (/^basic/i.test(challenge)) return basic;
    const params = Object.fromEntries(
      [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k?.toLowerCase() ?? "", v ?? ""]),
    );
    const realm = new URL(params.realm ?? "");
    realm.searchParams.set("service", params.service ?? "");
    if (params.scope) realm.searchParams.set("scope", params.scope);
    const cached = tokens.get(realm.href);
    if (cached) return `Bearer ${cached}`;
    const answer = await fetch(realm, { headers: { authorization: basic } });
    if (!answer.ok) throw new Error(`token service refused ${realm.href}: ${answer.status}`);
    const { token } = (await answer.json()) as { token: string };
    tokens.set(realm.href, token);
    return `Bearer ${token}`;
  }
  return async function send(path: string, init: RequestInit = {}): Promise<Response> {
    const target = path.startsWith("http") ? path : `${url}${path}`;
    const first = await fetch(target, init);
    if (first.status !== 401) return first;
    await first.body?.cancel();
    const challenge = first.headers.get("www-authenticate") ?? "";
    const headers = {
      ...(init.headers as Record<string, string>),
      authorization: await authorization(challenge),
    };
    return fetch(target, { ...init, headers });
  };
}

async function pushBlob(
  send: ReturnType<typeof registrySession>,
  repository: string,
  blob: Buffer,
): Promise<string> {
  const digest = sha256(blob);
  const started = await send(`/v2/${repository}/blobs/uploads/`, { method: "POST" });
  if (started.status !== 202)
    throw new Error(`blob upload not started: ${started.status} ${await started.text()}`);
  const location = new URL(started.headers.get("location") ?? "", started.url);
  location.searchParams.set("digest", digest);
  const done = await send(location.href, {
    method: "PUT",
    headers: { "content-type": "application/octet-stream" },
    body: blob,
  });
  if (done.status !== 201) throw new Error(`blob ${digest} not stored: ${done.status} ${await done.text()}`);
  return digest;
}

/** Pushes one image; answers its manifest's digest. */
export async function pushImage(url: string, login: RegistryLogin, image: TestImage): Promise<string> {
  const send = registrySession(url, login);
  const content = Buffer.from(`${image.repository}:${image.tag}\n`);
  const layer = gzipSync(content);
  const config = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      config: {
        ...(image.exposedPorts?.length
          ? { ExposedPorts: Object.fromEntries(image.exposedPorts.map((p) => [p, {}])) }
          : {}),
        Cmd: ["/app"],
      },
      rootfs: { type: "layers", diff_ids: [sha256(content)] },
    }),
  );
  const layerDigest = await pushBlob(send, image.repository, layer);
  const configDigest = await pushBlob(send, image.repository, config);
  const oci = (image.format ?? "oci") === "oci";
  const mediaType = oci
    ? "application/vnd.oci.image.manifest.v1+json"
    : "application/vnd.docker.distribution.manifest.v2+json";
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: {
        mediaType: oci
          ? "application/vnd.oci.image.config.v1+json"
          : "application/vnd.docker.container.image.v1+json",
        digest: configDigest,
        size: config.length,
      },
      layers: [
        {
          mediaType: oci
            ? "application/vnd.oci.image.layer.v1.tar+gzip"
            : "application/vnd.docker.image.rootfs.diff.tar.gzip",
          digest: layerDigest,
          size: layer.length,
        },
      ],
    }),
  );
  const put = await send(`/v2/${image.repository}/manifests/${image.tag}`, {
    method: "PUT",
    headers: { "content-type": mediaType },
    body: manifest,
  });
  if (put.status !== 201)
    throw new Error(
      `manifest ${image.repository}:${image.tag} not stored: ${put.status} ${await put.text()}`,
    );
  return sha256(manifest);
}
