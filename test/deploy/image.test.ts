import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../harness/temp-dir.ts";
import { dockerfileStages, runtimeFolders } from "./dockerfile.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DOCKERFILE = readFileSync(path.join(ROOT, "deploy/Dockerfile"), "utf8");
const PACKAGE = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const LOCK = JSON.parse(readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as {
  packages: Record<string, { dev?: boolean }>;
};

describe("deploy/Dockerfile", () => {
  const stages = dockerfileStages(DOCKERFILE);
  const final = stages.at(-1);

  it("builds in one stage and runs in another, both on Node 24 slim", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.from).toMatch(/^node:24(\.\d+)*-(bookworm-)?slim$/);
  });

  it("installs production dependencies only, exactly from the lock file (npm ci, never npm install)", () => {
    const install = stages.flatMap((s) => s.instructions).filter((i) => /^RUN .*npm /.test(i));
    expect(install.join("\n")).toMatch(/npm ci --omit=dev/);
    expect(install.join("\n")).not.toMatch(/npm install/);
  });

  it("copies exactly package.json, the built node_modules and the runtime folders into the final image", () => {
    const copies = final?.instructions.filter((i) => i.startsWith("COPY ")) ?? [];
    expect(copies).toContain("COPY --from=dependencies /app/node_modules ./node_modules");
    const sources = copies.filter((c) => !c.includes("--from=")).map((c) => c.split(/\s+/)[1]);
    expect(sources.sort()).toEqual(["commands", "package.json", "src", "views"]);
  });

  it("runs src/start.js with npm start's flags as the unprivileged node user in production mode", () => {
    const lines = final?.instructions ?? [];
    expect(lines.filter((l) => l.startsWith("USER ")).at(-1)).toBe("USER node");
    expect(lines.find((l) => l.startsWith("ENV "))).toMatch(/NODE_ENV=production/);
    const start = (
      JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
        scripts: { start: string };
      }
    ).scripts.start.split(" ");
    // `NAME=value node <flags> src/start.js`: the environment is the image's, the rest its command.
    const node = start.indexOf("node");
    const command = start.slice(node);
    expect(command.at(-1)).toBe("src/start.js");
    expect(command).toContain("--expose-gc");
    expect(lines.filter((l) => l.startsWith("CMD ")).at(-1)).toBe(
      `CMD ${JSON.stringify(command).replaceAll(",", ", ")}`,
    );
    const env = lines.find((l) => l.startsWith("ENV ")) ?? "";
    expect(start.slice(0, node)).toContain("MALLOC_MMAP_THRESHOLD_=131072");
    for (const assignment of start.slice(0, node)) expect(env.split(/\s+/)).toContain(assignment);
  });

  it("keeps secrets, data and tests out of the build context", () => {
    const ignore = readFileSync(path.join(ROOT, ".dockerignore"), "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"));
    expect(ignore[0]).toBe("*");
    expect(ignore.slice(1).sort()).toEqual(
      ["!commands/", "!package-lock.json", "!package.json", "!src/", "!views/"].sort(),
    );
  });
});

describe("what src/main.ts loads at run time", () => {
  let resolved: { parent: string; specifier: string; url: string }[];

  beforeAll(async () => {
    const out = path.join(tempDir("graydesk-imports-"), "imports.tsv");
    const run = promisify(execFile);
    // No settings: main.ts stops at its config check, after every static import has been resolved and loaded.
    await run(process.execPath, ["test/deploy/record-imports.ts", out, "src/main.ts"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH },
    }).catch((error: { code?: number }) => {
      if (error.code !== 2) throw error;
    });
    resolved = readFileSync(out, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [parent = "", specifier = "", url = ""] = line.split("\t");
        return { parent, specifier, url };
      });
  }, 30_000);

  it("resolves every module inside the copied folders or node_modules", () => {
    expect(resolved.length).toBeGreaterThan(100);
    const outside = resolved
      .filter((r) => r.url.startsWith("file:"))
      .map((r) => path.relative(ROOT, fileURLToPath(r.url)))
      .filter((file) => !runtimeFolders.some((folder) => file.startsWith(`${folder}/`)));
    expect([...new Set(outside)]).toEqual([]);
  });

  it("imports packages from its own code only when they are production dependencies", () => {
    const own = resolved.filter((r) => isOwnCode(r.parent) && r.url.includes("/node_modules/"));
    const names = new Set(own.map((r) => packageName(r.specifier)));
    expect(names.size).toBeGreaterThan(5);
    for (const name of names) {
      expect(PACKAGE.dependencies, `${name} is imported at run time`).toHaveProperty([name]);
    }
    // Read through createRequire, so the hooks may not see them: named here so a new one is noticed.
    for (const file of ["src/telemetry/chart.ts"]) {
      const required = [
        ...readFileSync(path.join(ROOT, file), "utf8").matchAll(/require\.resolve\(`([^`/]+)/g),
      ];
      for (const [, name] of required) expect(PACKAGE.dependencies).toHaveProperty([name as string]);
    }
  });

  it("leaves chart drawing (ECharts, resvg) unloaded until the first chart is asked for", () => {
    const urls = resolved.map((r) => r.url);
    expect(urls.some((url) => url.endsWith("/src/telemetry/index.ts"))).toBe(true);
    expect(urls.filter((url) => /\/(echarts|@resvg)\/|\/src\/telemetry\/chart\.ts$/.test(url))).toEqual([]);
  });

  it("loads none of Bolt's receivers it does not use (Express, AWS Lambda), nor express itself", () => {
    const urls = resolved.map((r) => r.url);
    expect(urls.some((url) => url.endsWith("/@slack/bolt/dist/App.js"))).toBe(true);
    expect(
      urls.filter((url) => /\/node_modules\/express\/|\/(ExpressReceiver|AwsLambdaReceiver)\.js$/.test(url)),
    ).toEqual([]);
  });

  it("loads no package that npm ci --omit=dev leaves out", () => {
    const dirs = new Set(
      resolved.filter((r) => r.url.includes("/node_modules/")).map((r) => lockKey(fileURLToPath(r.url))),
    );
    const devOnly = [...dirs].filter((dir) => LOCK.packages[dir]?.dev === true || !LOCK.packages[dir]);
    expect(devOnly).toEqual([]);
  });
});

function isOwnCode(url: string): boolean {
  if (!url.startsWith("file:")) return false;
  const file = path.relative(ROOT, fileURLToPath(url));
  return runtimeFolders.some((folder) => file.startsWith(`${folder}/`)) && !file.startsWith("node_modules/");
}

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
}

/** `node_modules/a/node_modules/@b/c`: the package-lock key of the package a file belongs to. */
function lockKey(file: string): string {
  const rel = path.relative(ROOT, file).split(path.sep);
  let end = 0;
  for (let i = 0; i < rel.length; i++) {
    if (rel[i] === "node_modules") end = rel[i + 1]?.startsWith("@") ? i + 3 : i + 2;
  }
  return rel.slice(0, end).join("/");
}
