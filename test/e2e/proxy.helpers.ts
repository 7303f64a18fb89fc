import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { captureServer, manifestDigest, type Manifest, type ServerTarget } from '../../src/index.js';
import { githubClaims, startSigningBench, type SigningBench } from './audit.helpers.js';
import { ROOT } from './capture.helpers.js';

export const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const REPOSITORY = 'acme/weather-mcp';

/** The identity flags that accept what {@link Signing.signTarget} signs (and the local trusted root). */
export function identityFlags(bench: SigningBench): string[] {
  const claims = githubClaims(REPOSITORY);
  return [
    '--certificate-oidc-issuer', bench.sigstore.issuer,
    '--certificate-identity', `https://github.com/${claims.workflow_ref}`,
    '--trusted-root', bench.trustedRootPath,
  ];
}

/** Captures a server, signs the manifest with the local Sigstore and writes the bundle; returns its path. */
export async function signTarget(bench: SigningBench, target: ServerTarget, file: string, repository = REPOSITORY): Promise<{ path: string; manifest: Manifest }> {
  const manifest = await captureServer(target);
  const { bundle } = await bench.sign(manifest, repository);
  const path = join(bench.dir, file);
  await writeFile(path, JSON.stringify(bundle));
  return { path, manifest };
}

export { startSigningBench, manifestDigest, type SigningBench };

/** A client connected to `toolseal proxy` over stdio, with the proxy's stderr collected. */
export interface ProxiedClient {
  client: Client;
  transport: StdioClientTransport;
  stderr: () => string;
  /** pid of the server the proxy spawned (from its stderr), once known. */
  serverPid: () => number | undefined;
  /** Resolves with the proxy's exit code. */
  exited: Promise<number | null>;
  /** Every message the client received from the proxy after connecting, in order. */
  received: JSONRPCMessage[];
}

/** Spawns the built CLI `proxy` with `args` and the server `command` after `--`; connects a bare SDK client. */
export async function connectProxy(args: string[], server: { command: string; args?: string[]; env?: Record<string, string> }): Promise<ProxiedClient> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'proxy', ...args, '--', server.command, ...(server.args ?? [])],
    env: { ...stringEnv(), ...server.env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const client = new Client({ name: 'proxy-test', version: '1.0.0' }, { capabilities: {} });
  const connecting = client.connect(transport);
  const proc = (transport as unknown as { _process: import('node:child_process').ChildProcess })._process;
  const exited = new Promise<number | null>((resolve) => {
    if (proc.exitCode !== null) resolve(proc.exitCode);
    else proc.once('exit', (code) => resolve(code));
  });
  const received: JSONRPCMessage[] = [];
  const result: ProxiedClient = {
    client, transport, exited, received,
    stderr: () => stderr,
    serverPid: () => {
      const m = /started the server \(pid (\d+)\)/.exec(stderr);
      return m ? Number(m[1]) : undefined;
    },
  };
  try {
    await connecting;
  } catch (err) {
    Object.assign(err as object, { proxied: result });
    throw err;
  }
  // Record the raw stream: the SDK dispatches notifications a tick later than responses, so
  // its callbacks cannot show the order the proxy delivered messages in.
  const deliver = transport.onmessage;
  transport.onmessage = (message: JSONRPCMessage) => {
    received.push(message);
    deliver?.(message);
  };
  return result;
}

function stringEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
}
