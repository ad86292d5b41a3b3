// A setup file of the unit suite: after each test file, the temporary directories it made go.
import { afterAll } from "vitest";
import { removeTempDirs } from "./temp-dir.ts";

afterAll(() => removeTempDirs());
