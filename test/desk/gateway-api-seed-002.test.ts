// Seed 002 with router=gateway-api on the test server (test/real runs the same stories on a real API server).
import { mirrorThirtyPercent, seed002Canary } from "./gateway-api-seed-002.ts";

seed002Canary();
mirrorThirtyPercent();
