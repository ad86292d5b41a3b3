// A Dockerfile read as stages of instructions: enough to check the image's shape without a container engine.

export interface Stage {
  from: string;
  name?: string;
  /** One instruction per entry, continuation lines joined, comments dropped. */
  instructions: string[];
}

/** What the final image holds besides node_modules: the code `node src/main.ts` can reach. */
export const runtimeFolders = ["src", "commands", "views", "node_modules"] as const;

export function dockerfileStages(text: string): Stage[] {
  const instructions = text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim().replace(/\s+/g, " "))
    .filter((line) => line !== "" && !line.startsWith("#"));
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    const from = /^FROM (\S+)(?: AS (\S+))?$/i.exec(instruction);
    if (from) {
      stages.push({ from: from[1] as string, ...(from[2] ? { name: from[2] } : {}), instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}
