import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  captureServer, manifestDigest, type AuditRecord, type AuditSink, type GuardAttestation, type ServerTarget,
} from '../../src/internal.js';
import { EVERYTHING_BIN, FIXTURES } from './capture.helpers.js';

export { alive, EVERYTHING_BIN, FIXTURES, ROOT } from './capture.helpers.js';

/** server-everything over stdio. */
export const EVERYTHING: ServerTarget = { kind: 'stdio', command: EVERYTHING_BIN, args: ['stdio'] };

/** A stdio target for one fixture script (with the parent's environment, as the proxy passes it). */
export function fixture(script: string, env: Record<string, string> = {}): ServerTarget & { kind: 'stdio' } {
  return { kind: 'stdio', command: process.execPath, args: [join(FIXTURES, script)], env: { ...stringEnv(), ...env } };
}

/** Captures `target` and wraps the manifest as an attestation (the guard trusts its caller to have verified it). */
export async function attest(target: ServerTarget): Promise<GuardAttestation> {
  const manifest = await captureServer(target);
  return { manifest, digest: manifestDigest(manifest) };
}

/** An SDK stdio transport for a target, recording the spawned pid. */
export function stdioTransport(target: ServerTarget & { kind: 'stdio' }): StdioClientTransport {
  return new StdioClientTransport({ command: target.command, args: target.args ?? [], env: target.env ?? stringEnv(), stderr: 'ignore' });
}

/** A new SDK client with no capabilities (the bare profile the fixtures were captured with). */
export function bareClient(): Client {
  return new Client({ name: 'guard-test', version: '1.0.0' }, { capabilities: {} });
}

/** An audit sink that keeps records in memory (a real implementation of the seam). */
export function memoryAudit(): AuditSink & { records: AuditRecord[] } {
  const records: AuditRecord[] = [];
  return { records, write: (r) => void records.push(r), close: async () => {} };
}

/** Reads a JSON-lines audit log. */
export async function readAuditLog(path: string): Promise<AuditRecord[]> {
  const text = await readFile(path, 'utf8');
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as AuditRecord);
}

/** Resolves once `predicate` holds, polling every 10 ms, or rejects after `ms`. */
export async function until(predicate: () => boolean | Promise<boolean>, ms = 10_000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function stringEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
}
