import { policyFor } from "../approvals/index.ts";
import { pullSecretConfig } from "../cluster/index.ts";
import { loginFor, type RegistryCall, RegistryError, registriesOf } from "../registry/index.ts";
import {
  DOCKER_HUB,
  imageLocation,
  imageReference,
  orderTags,
  type PortSettings,
  portsOfImage,
  readImageQuery,
  registryAllowed,
  registryOf,
  repositoryOf,
} from "../release/index.ts";
import type { DeskContext } from "./context.ts";
import type { ImagePorts, ImagePortsRequest, ImageSearch, ImageSearchRequest } from "./types.ts";

/** The search's deadline (cluster reads and registry) unless the caller gives the time it has left. */
export const IMAGE_SEARCH_MS = 1200;
/** At most this many repositories have their tags listed for one search, and this many options answered. */
const REPOSITORIES = 5;
const SUGGESTIONS = 100;

/**
 * Image search and tag suggestions: the catalog of the registry the query or the chosen pull Secret names,
 * filtered by what was typed, and the tags of the matching repositories (or of the one typed before `:`). Only
 * the namespace's registries are searched (the policy's and those its versions pull from), with the pull
 * Secret's login; the login is read for this search only. Failures come back as a note, never thrown.
 */
export async function searchImages(
  ctx: DeskContext,
  namespace: string,
  service: string | undefined,
  request: ImageSearchRequest,
): Promise<ImageSearch> {
  // AbortSignal.timeout takes whole milliseconds only.
  const signal = AbortSignal.timeout(Math.max(1, Math.floor(request.timeoutMs ?? IMAGE_SEARCH_MS)));
  try {
    return await deadline(signal, async () => {
      const secret = request.pullSecret
        ? await pullSecretConfig(ctx.kube, namespace, request.pullSecret)
        : undefined;
      if (request.pullSecret && secret === undefined)
        return { images: [], note: `There is no image pull Secret ${request.pullSecret} in this project.` };
      const query = readImageQuery(request.query, secret ? registriesOf(secret)[0] : undefined);
      const allowed = await allowedRegistries(ctx, namespace, service);
      if (!allowed.some((entry) => entry.split("/")[0] === query.host))
        return { images: [], note: notAllowed(query.host, allowed) };
      const call: RegistryCall = { signal, ...loginOf(secret, query.host) };
      const registry = ctx.registry;
      let repositories: string[];
      if (query.tag !== undefined || query.host === DOCKER_HUB) {
        if (query.path === "")
          return { images: [], note: "Docker Hub cannot be browsed: type an image name." };
        repositories = [repositoryOf(query)];
      } else {
        const catalog = await registry.catalog(query.host, call);
        repositories = catalog.filter((name) => name.includes(query.path)).slice(0, REPOSITORIES);
        if (repositories.length === 0)
          return { images: [], note: `${query.host} has no image matching “${query.path}”.` };
      }
      const lists = await Promise.all(
        repositories.map(async (repository) => ({
          repository,
          tags: orderTags(await registry.tags(query.host, repository, call)),
        })),
      );
      const images = lists
        .flatMap(({ repository, tags }) =>
          tags
            .filter((tag) => tag.startsWith(query.tag ?? ""))
            .map((tag) => imageReference(query.host, repository, tag)),
        )
        .filter((image) => registryAllowed(image, allowed))
        .slice(0, SUGGESTIONS);
      return images.length > 0
        ? { images }
        : { images, note: `No tag of ${repositories.join(", ")} matches.` };
    });
  } catch (error) {
    return { images: [], note: noteOf(error, ctx, namespace) };
  }
}

/**
 * "Use Default Port of Images": the ports the image's config exposes, read from its registry with the pull
 * Secret's login (for this call only).
 */
export async function imagePorts(
  ctx: DeskContext,
  namespace: string,
  service: string | undefined,
  request: ImagePortsRequest,
): Promise<ImagePorts> {
  const signal = AbortSignal.timeout(Math.max(1, Math.floor(request.timeoutMs ?? 6000)));
  try {
    return await deadline(signal, async () => {
      const allowed = await allowedRegistries(ctx, namespace, service);
      if (!registryAllowed(request.image, allowed))
        return { problem: notAllowed(registryOf(request.image), allowed) };
      const secret = request.pullSecret
        ? await pullSecretConfig(ctx.kube, namespace, request.pullSecret)
        : undefined;
      if (request.pullSecret && secret === undefined)
        return { problem: `There is no image pull Secret ${request.pullSecret} in this project.` };
      const host = registryOf(request.image);
      const repository = imageLocation(request.image).slice(host.length + 1);
      const call: RegistryCall = { signal, ...loginOf(secret, host) };
      const config = await ctx.registry.imageConfig(host, repository, referenceOf(request.image), call);
      const ports: PortSettings[] = portsOfImage(config.config?.ExposedPorts);
      return ports.length > 0
        ? { ports }
        : { problem: `${request.image} exposes no ports in its image config.` };
    });
  } catch (error) {
    return { problem: noteOf(error, ctx, namespace) };
  }
}

/** The registries this namespace's new versions may pull from: the policy's, and those its versions use. */
async function allowedRegistries(
  ctx: DeskContext,
  namespace: string,
  service: string | undefined,
): Promise<string[]> {
  const services = service ? await ctx.discovery.services(namespace) : [];
  const images = services
    .filter((s) => s.name === service)
    .flatMap((s) => s.versions.flatMap((v) => v.images))
    .filter(Boolean);
  const policy = policyFor(ctx.policy, namespace, ctx.clusterName).allowedRegistries ?? [];
  return [...new Set([...images.map(registryOf), ...policy.map((entry) => entry.toLowerCase())])];
}

const loginOf = (secret: string | undefined, host: string) => {
  const login = secret ? loginFor(secret, host) : undefined;
  return login ? { login } : {};
};

function referenceOf(image: string): string {
  const [name = "", digest] = image.split("@");
  if (digest) return digest;
  const slash = name.lastIndexOf("/");
  const colon = name.lastIndexOf(":");
  return colon > slash ? name.slice(colon + 1) : "latest";
}

const notAllowed = (host: string, allowed: string[]) =>
  `${host} is not one of this namespace's registries (${allowed.join(", ") || "none"}): images come only from them.`;

function noteOf(error: unknown, ctx: DeskContext, namespace: string): string {
  if (error instanceof RegistryError) return error.message;
  if (error instanceof DeadlineError) return "The registry did not answer in time; type the image instead.";
  ctx.logger.warn({ err: error, namespace }, "image search failed");
  return "The registry could not be searched; type the image instead.";
}

class DeadlineError extends Error {}

/** Cluster reads have no signal: the whole search is raced against it. */
function deadline<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const expired = () => reject(new DeadlineError("deadline"));
    if (signal.aborted) return expired();
    signal.addEventListener("abort", expired, { once: true });
    work()
      .then(resolve, reject)
      .finally(() => signal.removeEventListener("abort", expired));
  });
}
