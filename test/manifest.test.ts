import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = path.resolve(import.meta.dirname, "..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

interface Manifest {
  display_information: {
    name: string;
    description: string;
    long_description: string;
    background_color: string;
  };
  features: {
    app_home: { home_tab_enabled: boolean };
    bot_user: { display_name: string };
    slash_commands: { command: string; description: string; usage_hint: string; should_escape: boolean }[];
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { bot_events: string[] };
    interactivity: { is_enabled: boolean };
    socket_mode_enabled: boolean;
  };
}

describe("manifest.yml", () => {
  const manifest = parse(read("manifest.yml")) as Manifest;

  it("declares the app within Slack's manifest limits", () => {
    const info = manifest.display_information;
    expect(info.name.length).toBeLessThanOrEqual(35);
    expect(info.description.length).toBeLessThanOrEqual(140);
    expect(info.long_description.length).toBeGreaterThanOrEqual(174);
    expect(info.long_description.length).toBeLessThanOrEqual(4000);
    expect(info.background_color).toMatch(/^#[0-9a-f]{6}$/i);
    expect(manifest.features.bot_user.display_name.length).toBeLessThanOrEqual(80);
  });

  it("names every /release subcommand in the usage hint and in the README", () => {
    const dir = path.join(root, "commands");
    const names = new Set(
      readdirSync(dir)
        .filter((f) => f.endsWith(".ts"))
        .flatMap((f) => [...read(`commands/${f}`).matchAll(/^\s+name: "([a-z-]+)",$/gm)].map((m) => m[1])),
    );
    expect(names.size).toBeGreaterThanOrEqual(16);
    const hint = manifest.features.slash_commands[0]?.usage_hint ?? "";
    const readme = read("README.md").split("\n").slice(0, 20).join(" ");
    for (const name of names) {
      expect(hint.split(/[\s|[\]]+/)).toContain(name);
      expect(
        readme.includes(`\`${name}\``) || readme.includes(`\`/release ${name}\``),
        `README lists ${name}`,
      ).toBe(true);
    }
  });

  it("has /release, interactivity, the home tab, app_home_opened and Socket Mode", () => {
    const [release] = manifest.features.slash_commands;
    expect(release).toMatchObject({ command: "/release", should_escape: false });
    expect(release?.usage_hint.length).toBeLessThanOrEqual(1000);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(["app_home_opened"]);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
  });

  it("asks for the fewest bot scopes the features need", () => {
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual(
      [
        "channels:read",
        "chat:write",
        "commands",
        "files:write",
        "groups:read",
        "usergroups:read",
        "users:read",
      ].sort(),
    );
  });
});

describe(".env.example", () => {
  it("lists every setting config.ts reads, each with a comment above it", () => {
    const source = read("src/config.ts");
    const settings = [...source.matchAll(/read\("([A-Z_]+)"\)/g)].map((m) => m[1] as string);
    const example = read(".env.example").split("\n");
    for (const name of new Set(settings)) {
      const index = example.findIndex((line) => new RegExp(`^#? ?${name}=`).test(line));
      expect(index, `${name} is not in .env.example`).toBeGreaterThan(0);
      expect(example[index - 1], `${name} has no comment`).toMatch(/^#/);
    }
  });
});

describe("README", () => {
  it("shows an approval policy example that Graydesk accepts", async () => {
    const { parsePolicy } = await import("../src/approvals/index.ts");
    const example = /## Approval policy[\s\S]*?```yaml\n([\s\S]*?)```/.exec(read("README.md"))?.[1];
    expect(example).toBeDefined();
    const result = parsePolicy(example ?? "");
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.policy.namespaces.bookinfo?.approvals).toBe(2);
  });
});
