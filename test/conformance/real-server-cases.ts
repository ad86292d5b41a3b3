// Where the project's test server used to answer differently from a real kube-apiserver (T5–T17 of the
// issue that brought a real control plane into the suite). Each case passes on both.

import {
  AppsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  Watch,
} from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { eventually, failure } from "./kube-cases.ts";
import { raw } from "./raw.ts";

export interface CaseContext {
  kubeConfig: KubeConfig;
  namespace: string;
}

const LABEL_RULE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

const deployment = (name: string, labels: Record<string, string> = { app: name }) => ({
  metadata: { name },
  spec: {
    replicas: 1,
    selector: { matchLabels: labels },
    template: { metadata: { labels }, spec: { containers: [{ name: "app", image: "nginx:1.27" }] } },
  },
});

export function realServerCases(ctx: () => CaseContext): void {
  const core = () => ctx().kubeConfig.makeApiClient(CoreV1Api);
  const apps = () => ctx().kubeConfig.makeApiClient(AppsV1Api);

  describe("writes a real API server refuses or completes", () => {
    it("T5: a Deployment's selector is immutable", async () => {
      const { namespace } = ctx();
      await apps().createNamespacedDeployment({ namespace, body: deployment("fixed") });
      const current = await apps().readNamespacedDeployment({ namespace, name: "fixed" });
      const labels = { app: "fixed", tier: "web" };
      // No resourceVersion: Deployments allow an unconditional update, so the controller's status writes
      // cannot turn the refusal into a 409.
      const changed = {
        ...current,
        metadata: { ...current.metadata, resourceVersion: undefined },
        spec: {
          ...current.spec,
          selector: { matchLabels: labels },
          template: { ...current.spec?.template, metadata: { labels } },
        },
      };
      const err = await failure(
        apps().replaceNamespacedDeployment({ namespace, name: "fixed", body: changed as never }),
      );
      expect(err.httpCode).toBe(422);
      expect(err.details?.causes).toContainEqual(
        expect.objectContaining({
          field: "spec.selector",
          message: expect.stringContaining("field is immutable"),
        }),
      );
    });

    it("T5: label values are validated", async () => {
      const { namespace } = ctx();
      const err = await failure(
        core().createNamespacedConfigMap({
          namespace,
          body: { metadata: { name: "labelled", labels: { app: "bad value!" } } },
        }),
      );
      expect(err.httpCode).toBe(422);
      expect(err.message).toBe(
        `ConfigMap "labelled" is invalid: metadata.labels: Invalid value: "bad value!": ${LABEL_RULE}`,
      );
      expect(err.details?.causes).toEqual([
        {
          reason: "FieldValueInvalid",
          message: `Invalid value: "bad value!": ${LABEL_RULE}`,
          field: "metadata.labels",
        },
      ]);
    });

    it("T5: a created Deployment comes back with its pod template's defaults and an empty status", async () => {
      const { namespace, kubeConfig } = ctx();
      const answer = await raw(kubeConfig, "POST", `/apis/apps/v1/namespaces/${namespace}/deployments`, {
        apiVersion: "apps/v1",
        kind: "Deployment",
        ...deployment("defaulted"),
      });
      expect(answer.status).toBe(201);
      const spec = answer.json.spec as {
        strategy: unknown;
        revisionHistoryLimit: number;
        progressDeadlineSeconds: number;
        template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } };
      };
      expect(spec.strategy).toEqual({
        type: "RollingUpdate",
        rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" },
      });
      expect(spec.revisionHistoryLimit).toBe(10);
      expect(spec.progressDeadlineSeconds).toBe(600);
      expect(spec.template.spec).toMatchObject({
        restartPolicy: "Always",
        terminationGracePeriodSeconds: 30,
        dnsPolicy: "ClusterFirst",
        securityContext: {},
        schedulerName: "default-scheduler",
      });
      expect(spec.template.spec.containers[0]).toMatchObject({
        imagePullPolicy: "IfNotPresent",
        terminationMessagePath: "/dev/termination-log",
        terminationMessagePolicy: "File",
        resources: {},
      });
      expect(answer.json.status).toEqual({});
    });

    it("T6: a create that carries a resourceVersion fails (500)", async () => {
      const { namespace, kubeConfig } = ctx();
      const answer = await raw(kubeConfig, "POST", `/api/v1/namespaces/${namespace}/configmaps`, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "versioned", resourceVersion: "5" },
      });
      expect(answer.status).toBe(500);
      expect(answer.json.message).toBe("resourceVersion should not be set on objects to be created");
    });

    it("T7: a PUT of a custom resource needs its resourceVersion (422)", async () => {
      const { namespace, kubeConfig } = ctx();
      const custom = kubeConfig.makeApiClient(CustomObjectsApi);
      const vs = {
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: { name: "unversioned" },
        spec: { hosts: ["unversioned"] },
      };
      const group = { group: "networking.istio.io", version: "v1", namespace, plural: "virtualservices" };
      await custom.createNamespacedCustomObject({ ...group, body: vs });
      const answer = await raw(
        kubeConfig,
        "PUT",
        `/apis/networking.istio.io/v1/namespaces/${namespace}/virtualservices/unversioned`,
        { ...vs, spec: { hosts: ["changed"] } },
      );
      expect(answer.status).toBe(422);
      expect(answer.json.message).toBe(
        'virtualservices.networking.istio.io "unversioned" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
      );
      expect(answer.json.details).toMatchObject({ kind: "virtualservices", group: "networking.istio.io" });
      await custom.deleteNamespacedCustomObject({ ...group, name: "unversioned" });
    });

    it("T8: server-side apply needs a fieldManager (422)", async () => {
      const { namespace, kubeConfig } = ctx();
      const answer = await raw(
        kubeConfig,
        "PATCH",
        `/api/v1/namespaces/${namespace}/configmaps/applied`,
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "applied" } },
        "application/apply-patch+yaml",
      );
      expect(answer.status).toBe(422);
      expect(answer.json.message).toBe(
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      );
    });
  });

  describe("reads a real API server refuses or words its own way", () => {
    it("T9: resourceVersionMatch needs a resourceVersion (422)", async () => {
      const { namespace, kubeConfig } = ctx();
      const answer = await raw(
        kubeConfig,
        "GET",
        `/api/v1/namespaces/${namespace}/configmaps?resourceVersionMatch=Exact`,
      );
      expect(answer.status).toBe(422);
      expect(answer.json.message).toBe(
        'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
      );
    });

    it.each([
      ["labelSelector=a%20in%20(b", "unable to parse requirement: found '', expected: ',' or ')'"],
      ["labelSelector=a%3D%3D%3Db", "unable to parse requirement: found '=', expected: identifier"],
      [
        "fieldSelector=spec.foo%3Dx",
        '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"',
      ],
    ])("T15: a bad selector (%s) is a 400 worded as kube words it", async (query, message) => {
      const { namespace, kubeConfig } = ctx();
      const answer = await raw(kubeConfig, "GET", `/api/v1/namespaces/${namespace}/configmaps?${query}`);
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ reason: "BadRequest", message });
    });

    it("T15: an unknown resource of a served group version is a JSON 404; an unknown group a plain-text one", async () => {
      const { namespace, kubeConfig } = ctx();
      const known = await raw(kubeConfig, "GET", `/api/v1/namespaces/${namespace}/widgets`);
      expect(known.status).toBe(404);
      expect(known.json).toMatchObject({
        reason: "NotFound",
        message: "the server could not find the requested resource",
      });
      const unknown = await raw(kubeConfig, "GET", "/apis/widgets.example.com/v1/widgets");
      expect(unknown.status).toBe(404);
      expect(unknown.contentType).toMatch(/^text\/plain/);
      expect(unknown.text.trim()).toBe("404 page not found");
    });
  });

  describe("authorization reviews", () => {
    it("T10: SelfSubjectAccessReview and SelfSubjectRulesReview answer for the caller", async () => {
      const { namespace, kubeConfig } = ctx();
      const authz = kubeConfig.makeApiClient(AuthorizationV1Api);
      const review = await authz.createSelfSubjectAccessReview({
        body: {
          spec: {
            resourceAttributes: {
              verb: "list",
              group: "apiextensions.k8s.io",
              resource: "customresourcedefinitions",
            },
          },
        },
      });
      expect(review.status?.allowed).toBe(true);
      const rules = await authz.createSelfSubjectRulesReview({ body: { spec: { namespace } } });
      expect(rules.status?.incomplete).toBe(false);
      expect(rules.status?.resourceRules).toContainEqual(
        expect.objectContaining({ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }),
      );
    });
  });

  describe("namespaces", () => {
    it("T11: a deleted namespace is Terminating until its contents are gone", async () => {
      const name = `${ctx().namespace}-gone`;
      await core().createNamespace({ body: { metadata: { name } } });
      await core().createNamespacedConfigMap({ namespace: name, body: { metadata: { name: "content" } } });
      await core().deleteNamespace({ name });
      const terminating = await core().readNamespace({ name });
      expect(terminating.status?.phase).toBe("Terminating");
      expect(terminating.metadata?.deletionTimestamp).toBeDefined();
      await eventually(
        () =>
          core()
            .readNamespace({ name })
            .then(
              () => "present",
              (e: { code?: number }) => String(e.code),
            ),
        (v) => v === "404",
        60_000,
      );
    });

    it("T12: a new namespace gets the kube-root-ca.crt ConfigMap and the default ServiceAccount", async () => {
      const { namespace } = ctx();
      const ca = await eventually(
        () =>
          core()
            .readNamespacedConfigMap({ namespace, name: "kube-root-ca.crt" })
            .catch(() => undefined),
        (cm) => cm !== undefined,
      );
      expect(ca?.data?.["ca.crt"]).toMatch(/^-----BEGIN CERTIFICATE-----/);
      const sa = await eventually(
        () =>
          core()
            .readNamespacedServiceAccount({ namespace, name: "default" })
            .catch(() => undefined),
        (s) => s !== undefined,
      );
      expect(sa?.metadata?.name).toBe("default");
    });
  });

  describe("watch bookmarks", () => {
    it("T13: no bookmark in a watch's first 5 s; a watch with initial events ends them with a marked bookmark", async () => {
      const { namespace, kubeConfig } = ctx();
      await core().createNamespacedConfigMap({ namespace, body: { metadata: { name: "bookmarked" } } });
      const plain: string[] = [];
      const watch = new Watch(kubeConfig);
      const first = await watch.watch(
        `/api/v1/namespaces/${namespace}/configmaps`,
        {
          allowWatchBookmarks: true,
          resourceVersion: (await core().listNamespacedConfigMap({ namespace })).metadata?.resourceVersion,
        },
        (type) => plain.push(type),
        () => undefined,
      );
      await new Promise((r) => setTimeout(r, 5_000));
      first.abort();
      expect(plain).not.toContain("BOOKMARK");

      const events: {
        type: string;
        obj: { metadata?: { name?: string; annotations?: Record<string, string> } };
      }[] = [];
      const initial = await watch.watch(
        `/api/v1/namespaces/${namespace}/configmaps`,
        { allowWatchBookmarks: true, sendInitialEvents: true, resourceVersionMatch: "NotOlderThan" },
        (type, obj) => events.push({ type, obj }),
        () => undefined,
      );
      await eventually(
        async () => events,
        (e) => e.some((x) => x.type === "BOOKMARK"),
      );
      initial.abort();
      const end = events.findIndex((e) => e.type === "BOOKMARK");
      expect(events.slice(0, end).map((e) => `${e.type} ${e.obj.metadata?.name}`)).toContain(
        "ADDED bookmarked",
      );
      expect(events[end]?.obj.metadata?.annotations).toMatchObject({ "k8s.io/initial-events-end": "true" });
    });
  });

  describe("field ownership", () => {
    it("T16: managedFields name map entries with `.` and the status writer's subresource", async () => {
      const { namespace } = ctx();
      await core().createNamespacedConfigMap({
        namespace,
        body: { metadata: { name: "owned", labels: { app: "owned" } }, data: { k: "v" } },
        fieldManager: "graydesk",
      });
      const cm = await core().readNamespacedConfigMap({ namespace, name: "owned" });
      expect(cm.metadata?.managedFields?.map((m) => ({ ...m, time: undefined }))).toEqual([
        {
          manager: "graydesk",
          operation: "Update",
          apiVersion: "v1",
          time: undefined,
          fieldsType: "FieldsV1",
          fieldsV1: {
            "f:data": { ".": {}, "f:k": {} },
            "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
          },
        },
      ]);
      await apps().createNamespacedDeployment({ namespace, body: deployment("status-owned") });
      const ready = await eventually(
        () => apps().readNamespacedDeployment({ namespace, name: "status-owned" }),
        (d) => d.status?.readyReplicas === 1,
      );
      expect(ready.metadata?.managedFields).toContainEqual(
        expect.objectContaining({
          manager: "kube-controller-manager",
          operation: "Update",
          subresource: "status",
        }),
      );
    });
  });

  describe("discovery", () => {
    it("T17: serves the built-in types clients expect, and a CRD group lists exactly its installed CRDs", async () => {
      const { kubeConfig } = ctx();
      const served = async (path: string) =>
        ((await raw(kubeConfig, "GET", path)).json.resources as { name: string }[])
          .map((r) => r.name)
          .filter((n) => !n.includes("/"));
      expect(await served("/api/v1")).toEqual(
        expect.arrayContaining([
          "configmaps",
          "endpoints",
          "events",
          "limitranges",
          "namespaces",
          "nodes",
          "persistentvolumeclaims",
          "persistentvolumes",
          "pods",
          "podtemplates",
          "replicationcontrollers",
          "resourcequotas",
          "secrets",
          "serviceaccounts",
          "services",
        ]),
      );
      expect(await served("/apis/apps/v1")).toEqual(
        expect.arrayContaining([
          "controllerrevisions",
          "daemonsets",
          "deployments",
          "replicasets",
          "statefulsets",
        ]),
      );
      const crds = (await raw(kubeConfig, "GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"))
        .json.items as { spec: { group: string; names: { plural: string } } }[];
      const istio = crds
        .filter((c) => c.spec.group === "networking.istio.io")
        .map((c) => c.spec.names.plural);
      expect((await served("/apis/networking.istio.io/v1")).sort()).toEqual(istio.sort());
    });
  });
}
