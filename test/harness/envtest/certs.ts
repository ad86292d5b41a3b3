// The control plane's own keys: a CA, a serving certificate for 127.0.0.1 signed by it, and the
// service-account signing key pair. Made with openssl (node:crypto has no certificate writer).

import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface ControlPlaneKeys {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

const openssl = (dir: string, args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });

export function makeKeys(dir: string): ControlPlaneKeys {
  const files: ControlPlaneKeys = {
    caCert: join(dir, "ca.crt"),
    caKey: join(dir, "ca.key"),
    servingCert: join(dir, "apiserver.crt"),
    servingKey: join(dir, "apiserver.key"),
    serviceAccountKey: join(dir, "sa.key"),
    serviceAccountPub: join(dir, "sa.pub"),
  };
  openssl(dir, [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=graydesk-test-ca",
    "-keyout",
    files.caKey,
    "-out",
    files.caCert,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  const csr = join(dir, "apiserver.csr");
  openssl(dir, [
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=kube-apiserver",
    "-keyout",
    files.servingKey,
    "-out",
    csr,
  ]);
  const ext = join(dir, "apiserver.ext");
  writeFileSync(
    ext,
    "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n",
  );
  openssl(dir, [
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    files.caCert,
    "-CAkey",
    files.caKey,
    "-CAcreateserial",
    "-days",
    "2",
    "-out",
    files.servingCert,
    "-extfile",
    ext,
  ]);
  const sa = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  });
  writeFileSync(files.serviceAccountKey, sa.privateKey, { mode: 0o600 });
  writeFileSync(files.serviceAccountPub, sa.publicKey);
  return files;
}

export const readCa = (keys: ControlPlaneKeys): string => readFileSync(keys.caCert, "utf8");
