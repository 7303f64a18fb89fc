export type { TrustSource } from './source.js';
export { TRUSTED_ROOT_MEDIA_TYPES, TrustedRootJsonSchema, validateTrustedRootJson } from './validate.js';
export { trustMaterialFromJson, trustMaterialFromText, emptyTrustMaterial } from './material.js';
export {
  trustedRootFileSource, tufSource, publicGoodSource, embeddedPublicGoodSource, trustSourceFromPolicy, trustSourceForPolicy,
  defaultTufCacheDir, type TufOptions,
} from './sources.js';
