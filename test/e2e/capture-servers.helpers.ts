import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { EVERYTHING_BIN, FIXTURES } from './capture.helpers.js';

/** A server process started for a test, and how to stop it. */
export interface RunningServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts test/fixtures/servers/http-auth.mjs and resolves once it prints its port. */
export async function startHttpFixture(token: string): Promise<RunningServer> {
  const child = spawn(process.execPath, [join(FIXTURES, 'http-auth.mjs')], { env: { ...process.env, FIXTURE_TOKEN: token }, stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await firstLine(child.stdout!, () => true);
  const { port } = JSON.parse(line) as { port: number };
  return { url: `http://127.0.0.1:${port}/mcp`, child, stop: () => stop(child) };
}

/** One of the SDK v2 era fixtures (see test/fixtures/servers/README.md). */
export type EraFixture = 'modern.mjs' | 'dual-era.mjs';

/**
 * Starts an SDK v2 era fixture over Streamable HTTP on an ephemeral loopback port and
 * resolves once it prints the port. `env` adds FIXTURE_* knobs.
 */
export async function startEraHttp(script: EraFixture, env: Record<string, string> = {}): Promise<RunningServer> {
  const child = spawn(process.execPath, [join(FIXTURES, script), '--http'], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'ignore'] });
  const line = await firstLine(child.stdout!, () => true);
  const { port } = JSON.parse(line) as { port: number };
  return { url: `http://127.0.0.1:${port}/mcp`, child, stop: () => stop(child) };
}

/**
 * Starts server-everything in streamableHttp mode. It takes its port from $PORT and
 * cannot report an ephemeral one, so pick a free port first (a small, accepted race).
 */
export async function startEverythingHttp(): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(EVERYTHING_BIN, ['streamableHttp'], { env: { ...process.env, PORT: String(port) }, stdio: ['pipe', 'ignore', 'pipe'] });
  await firstLine(child.stderr!, (l) => l.includes('listening on port'));
  return { url: `http://127.0.0.1:${port}/mcp`, child, stop: () => stop(child) };
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function firstLine(stream: NodeJS.ReadableStream, match: (line: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: stream });
    rl.on('line', (line) => { if (match(line)) { rl.removeAllListeners('line'); resolve(line); } });
    rl.on('close', () => reject(new Error('the server exited before it was ready')));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
