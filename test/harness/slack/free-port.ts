import type { AddressInfo } from "node:net";
import { createServer } from "node:net";

/**
 * A loopback port free right now, for apps that take a port number rather than a listening server
 * (Bolt's `app.start(port)`). Another process could take it before the app binds; on loopback in a
 * test run that race is rare enough.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
