import type { PortProtocol, PortSettings } from "./container-settings.ts";
import { byText } from "./text-order.ts";

const TRANSPORTS: Record<string, PortProtocol> = { tcp: "TCP", udp: "UDP", sctp: "SCTP" };

/**
 * "Use Default Port of Images": the ports an image's config exposes (`ExposedPorts` keys such as `9080/tcp`,
 * `53/udp`, or a bare `8080`, which is TCP), named after their protocol (`tcp-9080`) as governance asks. Keys that
 * are not a port (ranges, unknown protocols) are left out.
 */
export function portsOfImage(exposed: Record<string, unknown> | undefined): PortSettings[] {
  const ports: PortSettings[] = [];
  for (const key of Object.keys(exposed ?? {})) {
    const match = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/i.exec(key.trim());
    const number = Number(match?.[1]);
    const protocol = TRANSPORTS[(match?.[2] ?? "tcp").toLowerCase()];
    if (!match || !protocol || number < 1 || number > 65535) continue;
    if (ports.some((p) => p.containerPort === number && p.protocol === protocol)) continue;
    ports.push({ protocol, name: `${protocol.toLowerCase()}-${number}`, containerPort: number });
  }
  return ports.sort((a, b) => a.containerPort - b.containerPort || byText(a.protocol, b.protocol));
}

/**
 * The form's ports with the image's default ports filled in: a port the form already has (same number and
 * transport) keeps its protocol and name (`http` stays `http`, governance keeps working); the image's other ports
 * are added; nothing typed is dropped.
 */
export function withImagePorts(current: PortSettings[], image: PortSettings[]): PortSettings[] {
  const transport = (p: PortSettings) => (p.protocol === "UDP" || p.protocol === "SCTP" ? p.protocol : "TCP");
  const added = image.filter(
    (port) =>
      !current.some((c) => c.containerPort === port.containerPort && transport(c) === transport(port)),
  );
  return [...current, ...added];
}
