import type { Option, OptionGroup } from "@slack/types";
import type { ComposedApp, ServiceInfo } from "../../src/desk/types.ts";
import { option } from "./blocks.ts";
import { serviceOption } from "./service-step.ts";
import { stableVersionOf } from "./stable.ts";
import type { StableInfo } from "./state.ts";

// Slack shows at most 100 options (and 100 groups) in a select.
const MAX_OPTIONS = 100;

const matches = (typed: string, ...texts: string[]) => {
  const q = typed.trim().toLowerCase();
  return q === "" || texts.some((t) => t.toLowerCase().includes(q));
};

export function namespaceOptions(namespaces: string[], typed: string): { options: Option[] } {
  return {
    options: namespaces
      .filter((n) => matches(typed, n))
      .slice(0, MAX_OPTIONS)
      .map((n) => option(n, n)),
  };
}

/** Services grouped by composed app; apps from templates are listed, marked, and refused on Next. */
export function serviceOptions(
  apps: ComposedApp[],
  services: ServiceInfo[],
  typed: string,
): { option_groups: OptionGroup[] } | { options: Option[] } {
  const groups: OptionGroup[] = [];
  let left = MAX_OPTIONS;
  for (const app of apps) {
    const options = services
      .filter((s) => s.app === app.name && matches(typed, s.name, app.name))
      .slice(0, left)
      .map((s) => serviceOption(app.name, s.name, app.template, serviceText(s)));
    left -= options.length;
    if (options.length === 0) continue;
    const label = app.template ? `${app.name} (template app)` : app.name;
    groups.push({ label: { type: "plain_text", text: label.slice(0, 75) }, options });
  }
  return groups.length > 0 ? { option_groups: groups } : { options: [] };
}

function serviceText(service: ServiceInfo): string {
  const versions = service.versions.map((v) => `${v.version} ×${v.replicas}`).join(", ");
  return `${service.name} — ${versions || "no versions"}`;
}

/** What the wizard keeps about the picked service, from the cluster's answer. */
export function stableInfoOf(service: ServiceInfo): StableInfo {
  const stable = stableVersionOf(service.versions);
  const containers =
    stable?.containers ?? stable?.images.map((image, i) => ({ name: `container-${i + 1}`, image })) ?? [];
  return {
    versions: service.versions.map((v) => ({
      version: v.version,
      replicas: v.replicas,
      readyReplicas: v.readyReplicas,
    })),
    containers,
    ...(stable?.described?.length ? { described: stable.described } : {}),
    ...(service.activeJob ? { activeJob: service.activeJob } : {}),
    routers: service.routers,
  };
}
