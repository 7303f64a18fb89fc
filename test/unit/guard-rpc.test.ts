import { describe, expect, it } from 'vitest';
import { calledEntry } from '../../src/guard/rpc.js';

describe('calledEntry: the entry an audit record names', () => {
  it('names tools, prompts, resources, and what a completion completes', () => {
    const call = (method: string, params: Record<string, unknown>) => calledEntry({ jsonrpc: '2.0', id: 1, method, params });
    expect(call('tools/call', { name: 'echo' })).toBe('tools/echo');
    expect(call('prompts/get', { name: 'greeting' })).toBe('prompts/greeting');
    expect(call('resources/read', { uri: 'notes://readme' })).toBe('resources/notes://readme');
    expect(call('completion/complete', { ref: { type: 'ref/prompt', name: 'greeting' }, argument: { name: 'name', value: 'A' } })).toBe('prompts/greeting');
    expect(call('completion/complete', { ref: { type: 'ref/resource', uri: 'notes://{id}' }, argument: { name: 'id', value: '1' } })).toBe('resourceTemplates/notes://{id}');
  });
});
