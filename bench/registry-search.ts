// `node bench/registry-search.ts`: how long the wizard's registry calls take against a real docker-registry behind
// token auth (the slowest flow: a token per scope), with a catalog of many repositories: browsing (catalog and the
// tags of five repositories), one repository's tags, and an image's default ports (manifest and config). Slack
// waits 3 s for options (the receiver answers itself at 2 s); the search runs under a 1.2 s deadline. Needs Debian's docker-registry and openssl.
import { IMAGE_SEARCH_MS } from "../src/desk/images.ts";
import { OciRegistryClient, type RegistryCall } from "../src/registry/index.ts";
import { startRegistry } from "../test/harness/registry/index.ts";
import { emit, percentile, round } from "./stats.ts";

export async function benchRegistrySearch(repositories = 60, tags = 10, runs = 30): Promise<void> {
  const registry = await startRegistry({ auth: "token" });
  try {
    for (let r = 0; r < repositories; r++)
      for (let t = 0; t < (r < 5 ? tags : 1); t++)
        await registry.push({ repository: `team/app-${r}`, tag: `1.${t}.0`, exposedPorts: ["8080/tcp"] });
    const client = new OciRegistryClient();
    const call = (): RegistryCall => ({
      login: registry.login,
      signal: AbortSignal.timeout(IMAGE_SEARCH_MS),
    });
    const measure = async (what: string, work: () => Promise<unknown>) => {
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const start = performance.now();
        await work();
        samples.push(performance.now() - start);
      }
      emit({
        bench: "registry-search",
        what,
        repositories,
        runs,
        p50Ms: round(percentile(samples, 50), 1),
        p95Ms: round(percentile(samples, 95), 1),
        maxMs: round(Math.max(...samples), 1),
        deadlineMs: IMAGE_SEARCH_MS,
      });
    };
    await measure("browse: catalog + tags of 5 repositories", async () => {
      const c = call();
      const names = (await client.catalog(registry.host, c)).slice(0, 5);
      await Promise.all(names.map((name) => client.tags(registry.host, name, c)));
    });
    await measure("tags of one repository", () => client.tags(registry.host, "team/app-0", call()));
    await measure("default ports: manifest + config", () =>
      client.imageConfig(registry.host, "team/app-0", "1.0.0", call()),
    );
  } finally {
    await registry.close();
  }
}

if (import.meta.main) await benchRegistrySearch();
