import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { join } from 'node:path';
import { CLI } from './proxy.helpers.js';
import { FIXTURES } from './capture.helpers.js';

/** How a v2 client negotiates: pinned to 2026-07-28, auto (probe, fall back), or the 2025 handshake. */
export type ClientEra = 'modern' | 'auto' | 'legacy';

const MODES = { modern: { pin: '2026-07-28' }, auto: 'auto', legacy: 'legacy' } as const;

/** A v2 SDK client in one era. */
export function v2Client(era: ClientEra, name = 'proxy-modern-test'): Client {
  return new Client({ name, version: '1.0.0' }, { capabilities: {}, versionNegotiation: { mode: MODES[era] } });
}

/** The stdio command line of `toolseal proxy ARGS -- node FIXTURE`. */
export function proxyCommand(args: string[], script: string): { command: string; args: string[] } {
  return { command: process.execPath, args: [CLI, 'proxy', ...args, '--', process.execPath, join(FIXTURES, script)] };
}

/** A v2 client connected to `toolseal proxy` over stdio (the SDK's own stdio transport: auto probes a sibling). */
export async function connectStdio(era: ClientEra, args: string[], script: string, env: Record<string, string> = {}): Promise<{ client: Client; transport: StdioClientTransport; stderr: () => string }> {
  const { command, args: argv } = proxyCommand(args, script);
  const transport = new StdioClientTransport({ command, args: argv, env: { ...stringEnv(), ...env }, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const client = v2Client(era);
  try {
    await client.connect(transport);
  } catch (err) {
    throw Object.assign(err as Error, { stderr });
  }
  return { client, transport, stderr: () => stderr };
}

/** A v2 client connected over Streamable HTTP. */
export async function connectHttp(era: ClientEra, url: string): Promise<Client> {
  const client = v2Client(era);
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

export function stringEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** A running `toolseal proxy --listen`, its URL and stderr; `pids()` are the servers it said it started. */
export interface ListeningProxy {
  url: string;
  child: import('node:child_process').ChildProcess;
  stderr: () => string;
  pids: () => number[];
  stop: () => Promise<number | null>;
}

/** Starts `toolseal proxy --listen 127.0.0.1:0 ARGS [-- node SCRIPT | -- COMMAND...]` and resolves with the URL it prints. */
export async function startListening(args: string[], script?: string, env: Record<string, string> = {}, command?: string[]): Promise<ListeningProxy> {
  const { spawn } = await import('node:child_process');
  const { createInterface } = await import('node:readline');
  const server = command ? ['--', ...command] : script ? ['--', process.execPath, join(FIXTURES, script)] : [];
  const child = spawn(process.execPath, [CLI, 'proxy', '--listen', '127.0.0.1:0', ...args, ...server], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...stringEnv(), ...env } });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stderr! }).on('line', (line) => {
      stderr += `${line}\n`;
      const m = /listening on (\S+)/.exec(line);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the proxy exited with ${code}: ${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    url, child,
    stderr: () => stderr,
    pids: () => [...stderr.matchAll(/started the server \(pid (\d+)\)/g)].map((m) => Number(m[1])),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The headers a 2026-07-28 POST carries, mirrored from the body unless `override` says otherwise. */
export function modernPost(body: { id?: number | string; method: string; params?: Record<string, unknown> }, override: Record<string, string> = {}): RequestInit {
  const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {}, 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' } };
  const message = { jsonrpc: '2.0', ...body, params: { ...body.params, _meta: meta } };
  const name = body.params?.name ?? body.params?.uri;
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json', accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28', 'mcp-method': body.method, ...(typeof name === 'string' ? { 'mcp-name': name } : {}), ...override,
    },
    body: JSON.stringify(message),
  };
}

/**
 * A loopback round-robin balancer: each incoming HTTP request goes to the next backend
 * in turn (request and response streamed through unchanged). `served` counts per backend.
 */
export async function startRoundRobin(backends: string[]): Promise<{ url: string; served: number[]; close: () => Promise<void> }> {
  const { createServer, request } = await import('node:http');
  const served = backends.map(() => 0);
  let next = 0;
  const server = createServer((req, res) => {
    const index = next++ % backends.length;
    served[index]! += 1;
    const target = new URL(backends[index]!);
    const upstream = request({ host: target.hostname, port: target.port, path: target.pathname, method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/mcp`, served,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
