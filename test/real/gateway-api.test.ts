// The Gateway API stories of seeds 002 and 004 on a real kube-apiserver (the `real` suite): the same
// bodies as on the test server, with the HTTPRoute CRD served and validated by the real API server.
import { mirrorThirtyPercent, seed002Canary } from "../desk/gateway-api-seed-002.ts";
import { seed004OverHandWrittenRoute } from "../desk/gateway-api-seed-004.ts";

seed002Canary();
mirrorThirtyPercent();
seed004OverHandWrittenRoute();
