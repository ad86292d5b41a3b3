import type { TrafficPolicy } from "../../release/index.ts";
import { describeRule } from "../../release/index.ts";

/** A traffic policy in a few words: "v1 80 %, v2 20 %", "mirror 30 % to v2", "header … → v2". */
export function describeTraffic(traffic: TrafficPolicy): string {
  switch (traffic.kind) {
    case "weights":
      return Object.entries(traffic.weights)
        .map(([version, percent]) => `${version} ${percent} %`)
        .join(", ");
    case "match":
      return `${traffic.rules.map(describeRule).join(" and ")} → ${traffic.to}`;
    case "mirror":
      return `mirror ${traffic.percent} % to ${traffic.to}`;
    case "serve":
      return `all on ${traffic.version}`;
  }
}
