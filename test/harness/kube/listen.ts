// One port, two protocols: kubectl only sends bearer tokens over TLS, while tests find plain HTTP handier.
// The first byte of a connection tells them apart (0x16 opens a TLS handshake).

import { readFileSync } from "node:fs";
import { createServer as createHttp, type RequestListener, type Server } from "node:http";
import { createServer as createHttps } from "node:https";
import { createServer as createNet, type Server as NetServer, type Socket } from "node:net";
import { join } from "node:path";

const FIXTURES = join(import.meta.dirname, "..", "..", "fixtures", "kube");
export const caCertificate = (): string => readFileSync(join(FIXTURES, "test-server.crt"), "utf8");

export interface DualServer {
  port: number;
  close(): Promise<void>;
}

export async function listenDual(handler: RequestListener, port: number): Promise<DualServer> {
  const http: Server = createHttp(handler);
  const https = createHttps(
    { cert: caCertificate(), key: readFileSync(join(FIXTURES, "test-server.key"), "utf8") },
    handler,
  );
  const sockets = new Set<Socket>();
  const front: NetServer = createNet((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.once("readable", () => {
      const first = socket.read(1) as Buffer | null;
      if (!first) {
        socket.once("end", () => socket.destroy());
        return;
      }
      socket.unshift(first);
      (first[0] === 0x16 ? https : http).emit("connection", socket);
    });
  });
  await new Promise<void>((resolve, reject) => {
    front.once("error", reject);
    front.listen(port, "127.0.0.1", resolve);
  });
  const address = front.address();
  return {
    port: typeof address === "object" && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        front.close(() => resolve());
        http.closeAllConnections();
        https.closeAllConnections();
        for (const s of sockets) s.destroy();
      }),
  };
}
