import type { PortProtocol, PortSettings } from "../container-settings.ts";
import type { FieldError } from "../errors.ts";
import { isPortName, MAX_PORT_NAME } from "./names.ts";

/**
 * How the console's protocol choice lands on the container port: the transport protocol Kubernetes
 * knows, and the port-name prefix Istio reads to pick the governance protocol.
 */
export const PORT_PROTOCOLS: Record<PortProtocol, { transport: "TCP" | "UDP" | "SCTP"; prefix: string }> = {
  HTTP: { transport: "TCP", prefix: "http" },
  HTTP2: { transport: "TCP", prefix: "http2" },
  HTTPS: { transport: "TCP", prefix: "https" },
  GRPC: { transport: "TCP", prefix: "grpc" },
  "GRPC-WEB": { transport: "TCP", prefix: "grpc-web" },
  TCP: { transport: "TCP", prefix: "tcp" },
  TLS: { transport: "TCP", prefix: "tls" },
  UDP: { transport: "UDP", prefix: "udp" },
  SCTP: { transport: "SCTP", prefix: "sctp" },
};

export function isPortNumber(port: unknown): port is number {
  return typeof port === "number" && Number.isInteger(port) && port >= 1 && port <= 65535;
}

export function validatePort(port: PortSettings, at: string): FieldError[] {
  const errors: FieldError[] = [];
  const protocol = PORT_PROTOCOLS[port.protocol];
  if (!protocol) {
    errors.push({
      field: `${at}.protocol`,
      message: `Choose one of the protocols ${Object.keys(PORT_PROTOCOLS).join(", ")}.`,
    });
  }
  if (!isPortName(port.name)) {
    errors.push({
      field: `${at}.name`,
      message: `Port names use at most ${MAX_PORT_NAME} lowercase letters, digits and single hyphens, with one letter at least.`,
    });
  } else if (protocol && port.name !== protocol.prefix && !port.name.startsWith(`${protocol.prefix}-`)) {
    errors.push({
      field: `${at}.name`,
      message: `Port name must start with the protocol, e.g. ${protocol.prefix}-web, so the mesh can govern it.`,
    });
  }
  if (!isPortNumber(port.containerPort)) {
    errors.push({
      field: `${at}.containerPort`,
      message: "Container ports are whole numbers from 1 to 65535.",
    });
  }
  return errors;
}

/** Port names must be unique in the whole pod, port numbers within a container. */
export function validatePortList(ports: PortSettings[], at: string, takenNames: Set<string>): FieldError[] {
  const errors: FieldError[] = [];
  const numbers = new Set<string>();
  ports.forEach((port, index) => {
    const field = `${at}[${index}]`;
    errors.push(...validatePort(port, field));
    if (takenNames.has(port.name)) {
      errors.push({ field: `${field}.name`, message: `Port name ${port.name} is already used in this pod.` });
    }
    takenNames.add(port.name);
    const key = `${PORT_PROTOCOLS[port.protocol]?.transport}/${port.containerPort}`;
    if (numbers.has(key)) {
      errors.push({
        field: `${field}.containerPort`,
        message: `Port ${port.containerPort} is listed twice.`,
      });
    }
    numbers.add(key);
  });
  return errors;
}
