// The token service a registry with `auth: token` sends clients to: checks the login (HTTP basic) and answers a
// JWT signed with a key whose self-signed certificate the registry trusts (rootcertbundle), granting the scope asked.
import { spawnSync } from "node:child_process";
import { createPrivateKey, randomUUID, sign, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { RegistryLogin } from "./push.ts";

export interface TokenService {
  realm: string;
  service: string;
  issuer: string;
  certFile: string;
  /** Token requests answered, and those refused for a wrong or missing login. */
  issued: number;
  refused: number;
  close(): Promise<void>;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

/** A P-256 key and its self-signed certificate, made with openssl in `dir`. */
function makeKey(dir: string): { keyFile: string; certFile: string } {
  const keyFile = join(dir, "token.key");
  const certFile = join(dir, "token.pem");
  const made = spawnSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=graydesk-test-token-service",
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ],
    { encoding: "utf8" },
  );
  if (made.error || made.status !== 0)
    throw new Error(`openssl could not make the token key: ${made.error?.message ?? made.stderr}`);
  return { keyFile, certFile };
}

export async function startTokenService(dir: string, login: RegistryLogin): Promise<TokenService> {
  const { keyFile, certFile } = makeKey(dir);
  const key = createPrivateKey(readFileSync(keyFile));
  const chain = [new X509Certificate(readFileSync(certFile)).raw.toString("base64")];
  const service = "graydesk-test-registry";
  const issuer = "graydesk-test-token-service";
  const expected = `Basic ${Buffer.from(`${login.username}:${login.password}`).toString("base64")}`;
  const state = { issued: 0, refused: 0 };

  const token = (subject: string, scopes: string[]): string => {
    const now = Math.floor(Date.now() / 1000);
    const access = scopes.flatMap((scope) => {
      const [type, ...rest] = scope.split(":");
      const actions = rest.pop() ?? "";
      return type ? [{ type, name: rest.join(":"), actions: actions.split(",").filter(Boolean) }] : [];
    });
    const header = b64url(JSON.stringify({ typ: "JWT", alg: "ES256", x5c: chain }));
    const claims = b64url(
      JSON.stringify({
        iss: issuer,
        sub: subject,
        aud: service,
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomUUID(),
        access,
      }),
    );
    const signature = sign("sha256", Buffer.from(`${header}.${claims}`), { key, dsaEncoding: "ieee-p1363" });
    return `${header}.${claims}.${b64url(signature)}`;
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== "/token" || req.headers.authorization !== expected) {
      state.refused++;
      res.writeHead(401, { "content-type": "application/json" }).end('{"details":"login refused"}');
      return;
    }
    state.issued++;
    const issued = token(login.username, url.searchParams.getAll("scope"));
    res.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({
        token: issued,
        access_token: issued,
        expires_in: 300,
        issued_at: new Date().toISOString(),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certFile,
    get issued() {
      return state.issued;
    },
    get refused() {
      return state.refused;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
