// The replicated overlay's Role grants that only the schedules use (digests and step schedules delete their
// records; leader election holds a Lease): each one needed, each refusal named.

import { ApiException, CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leaseLeadership } from "../../src/schedule/index.ts";
import { openKubeStore, type StoreData } from "../../src/store/index.ts";
import { type KubeTestServer, type PolicyRule, startKubeServer } from "../harness/kube/index.ts";
import { until } from "../slack/desk/world.ts";
import { REPLICATED, resources, SERVICE_ACCOUNT, serviceAccountRules, without } from "./manifests.ts";
import { OWN_NAMESPACE } from "./story.ts";

const rules = serviceAccountRules(resources(REPLICATED));
let kube: KubeTestServer;
let tokens = 0;

beforeAll(async () => {
  kube = await startKubeServer();
  await kube
    .kubeConfig()
    .makeApiClient(CoreV1Api)
    .createNamespace({ body: { metadata: { name: OWN_NAMESPACE } } });
});
afterAll(async () => {
  await kube?.close();
});

function graydeskWith(granted: PolicyRule[]) {
  const token = `graydesk-state-${++tokens}`;
  kube.setUser(token, { name: SERVICE_ACCOUNT, rules: granted });
  return kube.kubeConfig(token);
}

const lease = (verb: string) => ({
  verb,
  group: "coordination.k8s.io",
  resource: "leases",
  namespace: OWN_NAMESPACE,
});

describe("state records a schedule removes", () => {
  const schedule = (d: StoreData) => {
    d.schedules.C0RELEASES = {
      id: "C0RELEASES",
      cron: "0 9 * * 1-5",
    } as unknown as StoreData["schedules"][string];
  };

  it("are deleted with the Role's grants", async () => {
    const store = await openKubeStore(graydeskWith(rules), { namespace: OWN_NAMESPACE, name: "delete-ok" });
    await store.update(schedule);
    await store.update((d) => void delete d.schedules.C0RELEASES);
    expect(store.data().schedules).toEqual({});
    await store.close();
  });

  it("without delete configmaps, the refusal names the permission for the user", async () => {
    const gone = { verb: "delete", group: "", resource: "configmaps", namespace: OWN_NAMESPACE };
    const store = await openKubeStore(graydeskWith(without(rules, gone)), {
      namespace: OWN_NAMESPACE,
      name: "delete-refused",
    });
    await store.update(schedule);
    const refused = store.update((d) => void delete d.schedules.C0RELEASES);
    await expect(refused).rejects.toMatchObject({ code: "forbidden", name: "UserFacingError" });
    await expect(refused).rejects.toThrow(
      /forbidden: delete configmaps — .*cannot delete resource "configmaps" in API group ""/,
    );
    expect(store.data().schedules).toHaveProperty(["C0RELEASES"]);
    await store.close();
  });
});

describe("leader election on the graydesk-leader Lease", () => {
  const elect = (granted: PolicyRule[], name: string) => {
    const errors: unknown[] = [];
    const leadership = leaseLeadership(graydeskWith(granted), {
      namespace: OWN_NAMESPACE,
      name,
      retryPeriodMs: 20,
      onStartedLeading: () => undefined,
      onStoppedLeading: () => undefined,
      onError: (error) => errors.push(error),
    });
    leadership.start();
    return { leadership, errors };
  };
  const refusal = (errors: unknown[], verb: string) =>
    until(() =>
      errors.find(
        (e) =>
          e instanceof ApiException && e.code === 403 && String(e.body).includes(`cannot ${verb} resource`),
      ),
    );

  it("is won, renewed and released with the Role's grants", async () => {
    const { leadership, errors } = elect(rules, "lease-ok");
    await until(() => leadership.isLeader());
    await leadership.stop();
    expect(errors).toEqual([]);
  });

  it.each(["get", "create"])("is never won without %s leases", async (verb) => {
    const { leadership, errors } = elect(without(rules, lease(verb)), `lease-no-${verb}`);
    const error = await refusal(errors, verb);
    const { message } = JSON.parse(String((error as ApiException<unknown>).body)) as { message: string };
    expect(message).toContain(`cannot ${verb} resource "leases" in API group "coordination.k8s.io"`);
    expect(leadership.isLeader()).toBe(false);
    await leadership.stop();
  });

  it("is not taken over once released, without update leases", async () => {
    const first = elect(rules, "lease-no-update");
    await until(() => first.leadership.isLeader());
    await first.leadership.stop();
    const { leadership, errors } = elect(without(rules, lease("update")), "lease-no-update");
    await refusal(errors, "update");
    expect(leadership.isLeader()).toBe(false);
    await leadership.stop();
  });
});
