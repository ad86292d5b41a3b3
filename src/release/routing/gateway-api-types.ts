/** The parts of Gateway API's gateway.networking.k8s.io/v1 HTTPRoute that Graydesk reads and writes. */
import type { IHTTPBackendRef } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPBackendRef";
import type { IHTTPRouteFilter } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteFilter";
import type { IHTTPRouteMatch } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteMatch";
import type { IHTTPRouteRule } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteRule";
import type { IHTTPRouteSpec } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteSpec";
import type { IParentReference } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/ParentReference";
import type { ObjectMeta } from "./istio-types.ts";

export const GATEWAY_API_VERSION = "gateway.networking.k8s.io/v1";

export type HttpRouteSpec = IHTTPRouteSpec;
export type HttpRouteRule = IHTTPRouteRule;
export type HttpRouteMatch = IHTTPRouteMatch;
export type HttpBackendRef = IHTTPBackendRef;
export type HttpRouteFilter = IHTTPRouteFilter;
export type ParentRef = IParentReference;

export interface HttpRouteObject {
  apiVersion: string;
  kind: "HTTPRoute";
  metadata: ObjectMeta;
  spec: HttpRouteSpec;
  [field: string]: unknown;
}

/** What the cluster's HTTPRoute CRD can express, read from its schema (older releases lack some fields). */
export interface GatewayApiFeatures {
  /** RequestMirror takes `percent`. */
  mirrorPercent: boolean;
  /** RequestMirror takes `fraction` (numerator / denominator). */
  mirrorFraction: boolean;
}

/** The Service a version's backendRef names: Gateway API has no subsets, so each version gets a Service. */
export interface VersionServiceObject {
  apiVersion: "v1";
  kind: "Service";
  metadata: ObjectMeta;
  spec: { selector: Record<string, string>; ports: unknown[]; [field: string]: unknown };
  [field: string]: unknown;
}
