export {
  PROTOCOL_ERA_CHOICES, MODERN_PROTOCOL_VERSION, MODERN_PROTOCOL_VERSIONS, META_KEYS, MODERN_ERROR_CODES, RESULT_ENVELOPE_FIELDS,
  parseProtocolEra, eraOfVersion, requestMeta, withRequestMeta, readRequestMeta, parseDiscoverResult, resultServerInfo,
  commonModernVersion, classifyProbeError, isModernDiscoverAnswer, stripResultEnvelope,
  type ProtocolEra, type ProtocolEraChoice, type RequestEnvelope, type ServerIdentity, type DiscoverInfo, type Parsed,
} from './era.js';
export {
  META, MODERN_RPC_CODES, REMOVED_METHODS, REMOVED_NOTIFICATIONS, NAMED_METHODS,
  isModernVersion, metaOf, metaProblem, isModernMessage, encodeHeaderValue, decodeHeaderValue,
} from './wire.js';
