import { describe, expect, it } from 'vitest';
import {
  classifyProbeError, commonModernVersion, isModernDiscoverAnswer, eraOfVersion, parseDiscoverResult, parseProtocolEra, readRequestMeta, stripResultEnvelope, withRequestMeta,
} from '../../src/protocol/index.js';

const envelope = { protocolVersion: '2026-07-28', clientCapabilities: { roots: {} }, clientInfo: { name: 'toolseal', version: '1' } };

describe('protocol era helpers', () => {
  it('reads --protocol-era and refuses anything else', () => {
    expect(parseProtocolEra(undefined)).toBe('auto');
    expect(parseProtocolEra('modern')).toBe('modern');
    expect(() => parseProtocolEra('2026')).toThrow(expect.objectContaining({ code: 'PROTOCOL_ERA_INVALID' }));
  });

  it('puts the envelope in _meta, keeps other _meta keys, and lets no caller override the version', () => {
    const params = withRequestMeta({ cursor: 'c', _meta: { trace: 1, 'io.modelcontextprotocol/protocolVersion': '1999-01-01' } }, envelope);
    expect(params).toEqual({ cursor: 'c', _meta: { trace: 1, 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': { roots: {} }, 'io.modelcontextprotocol/clientInfo': { name: 'toolseal', version: '1' } } });
    expect(readRequestMeta(params)).toEqual(envelope);
    expect(readRequestMeta({ cursor: 'c' })).toBeUndefined();
  });

  it('parses a discover result strictly', () => {
    const ok = parseDiscoverResult({ resultType: 'complete', supportedVersions: ['2026-07-28'], capabilities: { tools: {} }, instructions: 'hi', _meta: { 'io.modelcontextprotocol/serverInfo': { name: 's', version: '1', title: 'S' } }, ttlMs: 5 });
    expect(ok).toEqual({ ok: true, value: { supportedVersions: ['2026-07-28'], capabilities: { tools: {} }, instructions: 'hi', serverInfo: { name: 's', version: '1', title: 'S' } } });
    expect(parseDiscoverResult({ supportedVersions: [], capabilities: {} }).ok).toBe(false);
    expect(parseDiscoverResult({ supportedVersions: ['2026-07-28'], capabilities: {}, _meta: { 'io.modelcontextprotocol/serverInfo': { name: 7 } } }).ok).toBe(false);
    expect(parseDiscoverResult({ supportedVersions: ['2026-07-28'], capabilities: {}, instructions: 3 }).ok).toBe(false);
  });

  it('takes only a recognized modern error as modern evidence', () => {
    expect(classifyProbeError({ code: -32022, data: { supported: ['2026-07-28'] } })).toEqual({ era: 'modern', supported: ['2026-07-28'] });
    expect(classifyProbeError({ code: -32601 })).toEqual({ era: 'legacy' });
    expect(classifyProbeError({ code: -32602 })).toEqual({ era: 'legacy' });
    expect(classifyProbeError({ code: -32000 })).toEqual({ era: 'legacy' });
  });

  it('takes only the codes the revision defines for modern evidence, in capture and in the guard alike', () => {
    expect(classifyProbeError({ code: -32020 })).toEqual({ era: 'modern' });
    expect(classifyProbeError({ code: -32021 })).toEqual({ era: 'modern' });
    // The rest of the range MCP reserves names nothing yet; the guard's own codes sit there too.
    for (const code of [-32023, -32050, -31051, -31052, -31053, -32099]) expect(classifyProbeError({ code })).toEqual({ era: 'legacy' });
    expect(isModernDiscoverAnswer({ result: { supportedVersions: ['2026-07-28'] } })).toBe(true);
    expect(isModernDiscoverAnswer({ result: { tools: [] } })).toBe(false);
    expect(isModernDiscoverAnswer({ error: { code: -32022, data: { supported: ['2026-07-28'] } } })).toBe(true);
    expect(isModernDiscoverAnswer({ error: { code: -31053 } })).toBe(false);
    expect(isModernDiscoverAnswer({ error: { code: -32601 } })).toBe(false);
  });

  it('knows eras, common versions, and which result fields are envelope', () => {
    expect(eraOfVersion('2025-11-25')).toBe('legacy');
    expect(eraOfVersion('2026-07-28')).toBe('modern');
    expect(commonModernVersion(['2025-11-25', '2026-07-28'])).toBe('2026-07-28');
    expect(commonModernVersion(['2027-01-01'])).toBeUndefined();
    expect(stripResultEnvelope({ resultType: 'complete', ttlMs: 0, cacheScope: 'private', tools: [] })).toEqual({ tools: [] });
  });
});
