// The container image registries Graydesk reads (OCI Distribution API): image search, tags, default ports.
export { type Challenge, parseChallenge } from "./challenge.ts";
export {
  baseUrl,
  type ImageConfig,
  OciRegistryClient,
  type RegistryCall,
  type RegistryClientOptions,
  RegistryError,
  type RegistryProblem,
} from "./client.ts";
export { loginFor, type RegistryLogin, registriesOf, registryHostOf } from "./credentials.ts";
