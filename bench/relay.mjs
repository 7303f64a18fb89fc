#!/usr/bin/env node
// The bare relay of proxy.bench.ts: the ceiling of any separate-process stdio proxy. It spawns
// the server given after it (`node bench/relay.mjs <command> [args...]`) and pipes bytes both
// ways, parsing nothing; it ends the server when its stdin ends, and exits when the server does.
import { spawn } from 'node:child_process';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: node bench/relay.mjs <command> [args...]\n');
  process.exit(2);
}
const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
process.stdin.pipe(child.stdin);
child.stdout.pipe(process.stdout);
child.stdin.on('error', () => undefined);
process.stdout.on('error', () => child.kill());
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
