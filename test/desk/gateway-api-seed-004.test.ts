// Seed 004 with router=gateway-api on the test server (test/real runs the same story on a real API server).
import { seed004OverHandWrittenRoute } from "./gateway-api-seed-004.ts";

seed004OverHandWrittenRoute();
