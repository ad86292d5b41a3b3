import type { CreateJobInput, ServiceInfo } from "../src/desk/types.ts";
import {
  type FieldError,
  type TrafficPolicy,
  UserFacingError,
  validateJobName,
  validateNewVersion,
  validateServiceChoice,
  validateTrafficPolicy,
} from "../src/release/index.ts";
import { escapeText } from "../views/escape.ts";
import { ROUTER_NAMES, routerWords } from "../views/router-names.ts";
import { stableInfoOf, stableVersion } from "../views/wizard/index.ts";
import { type NewArgs, trafficPolicy } from "./new-args.ts";

/**
 * The one-line form checked with the same domain rules as the wizard, against the service as the cluster has
 * it. Each problem names the argument it is about.
 */
export function checkNewRelease(
  args: NewArgs,
  service: ServiceInfo,
  template: boolean,
  channel: string,
): { input: CreateJobInput; traffic: TrafficPolicy | undefined } {
  const stable = stableInfoOf(service);
  const stableName = stableVersion(stable) ?? "";
  const containers = stable.containers.map((c) => c.name);
  const only = args.images[""];
  if (only !== undefined && containers.length > 1) {
    throw new UserFacingError(
      "usage",
      `\`image=\`: ${service.name} has containers ${containers.join(", ")}; say which with \`image.<container>=<image>\`.`,
    );
  }
  const images = only !== undefined ? { [containers[0] ?? service.name]: only } : args.images;
  const name = args.name ?? `${service.name}-${args.version}`;
  const replicas = args.replicas ?? stable.versions.find((v) => v.version === stableName)?.replicas ?? 1;
  const traffic = trafficPolicy(args.traffic, args.strategy, stableName, args.version);
  const errors: FieldError[] = [
    ...validateServiceChoice({
      app: { name: service.app, kind: template ? "template" : "composed" },
      service: { name: service.name, versions: stable.versions.map((v) => v.version) },
    }).map((e) => ({ ...e, field: `${args.namespace}/${args.service}` })),
    ...validateNewVersion(
      { version: args.version, settings: { replicas, containers: { mode: "replace-image", images } } },
      {
        existingVersions: stable.versions.map((v) => v.version),
        stableContainers: containers,
        namespace: { configMaps: {}, secrets: {} },
      },
    ).map((e) => ({ ...e, field: e.field.startsWith("images") ? "image=" : `${e.field}=` })),
    // After the version: a name made from a bad version number would only repeat its problem.
    ...validateJobName(name, "name="),
    ...(traffic
      ? validateTrafficPolicy(traffic, { strategy: args.strategy, versions: [stableName, args.version] }).map(
          (e) => ({ ...e, field: args.traffic?.word ?? "traffic" }),
        )
      : []),
  ];
  if (args.router && !service.routers.includes(args.router)) {
    errors.push({
      field: `router=${args.router}`,
      message: `${service.name} cannot be split by ${ROUTER_NAMES[args.router]} in this cluster; it can use ${routerWords(service.routers)}.`,
    });
  }
  if (service.activeJob) {
    errors.push({
      field: `${args.namespace}/${args.service}`,
      message: `Release job ${service.activeJob} is already running on ${service.name}; finish it first.`,
    });
  }
  const [first] = errors;
  if (first)
    throw new UserFacingError("usage", `\`${escapeText(first.field)}\`: ${escapeText(first.message)}`);
  return {
    input: {
      name,
      namespace: args.namespace,
      app: service.app,
      service: service.name,
      strategy: args.strategy,
      ...(args.router ? { router: args.router } : {}),
      newVersion: {
        version: args.version,
        settings: { replicas, containers: { mode: "replace-image", images } },
      },
      channel,
    },
    traffic,
  };
}
