/** The parts of Istio's networking.istio.io/v1 objects that Graydesk reads and writes, as plain data. */

export interface StringMatch {
  exact?: string;
  prefix?: string;
  regex?: string;
}

export interface HttpMatchRequest {
  uri?: StringMatch;
  headers?: Record<string, StringMatch>;
  queryParams?: Record<string, StringMatch>;
  withoutHeaders?: Record<string, StringMatch>;
  [field: string]: unknown;
}

export interface Destination {
  host: string;
  subset?: string;
  port?: { number: number };
}

export interface HttpRoute {
  name?: string;
  match?: HttpMatchRequest[];
  route?: { destination: Destination; weight?: number; [field: string]: unknown }[];
  mirror?: Destination;
  mirrorPercentage?: { value: number };
  [field: string]: unknown;
}

export interface VirtualServiceSpec {
  hosts?: string[];
  gateways?: string[];
  http?: HttpRoute[];
  [field: string]: unknown;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

export interface VirtualServiceObject {
  apiVersion: string;
  kind: "VirtualService";
  metadata: ObjectMeta;
  spec: VirtualServiceSpec;
  [field: string]: unknown;
}

export interface Subset {
  name: string;
  labels?: Record<string, string>;
  [field: string]: unknown;
}

export interface DestinationRuleObject {
  apiVersion: string;
  kind: "DestinationRule";
  metadata: ObjectMeta;
  spec: { host: string; subsets?: Subset[]; [field: string]: unknown };
  [field: string]: unknown;
}
