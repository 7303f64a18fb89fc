import type { ProtocolEraChoice } from '../../protocol/index.js';
import type { Artifact, DynamicList } from '../schema.js';
import type { ClientProfile } from '../profile.js';

/**
 * A server to capture: a command spawned over stdio, or a Streamable HTTP endpoint.
 * A stdio server's `env` is its complete environment and `cwd` its working directory;
 * build both with `resolveLaunch` (without `env`, the launch rule's default applies:
 * this process's environment minus toolseal's and the runner's secrets). Neither is ever
 * shown in a message or recorded in a manifest.
 */
export type ServerTarget =
  | { kind: 'stdio'; command: string; args?: string[]; env?: Record<string, string>; cwd?: string }
  | { kind: 'http'; url: string; headers?: Record<string, string> };

/** How a capture runs. Every limit exists so a hostile server cannot stall or exhaust the capturer. */
export interface CaptureOptions {
  /** The capabilities the client declares; recorded in the manifest. Default: the bare profile. */
  profile?: ClientProfile;
  /** Paths stripped before the manifest is built (see `applyExclude`); recorded in the manifest. */
  exclude?: string[] | undefined;
  /** What the manifest belongs to; passed through to the manifest. */
  artifacts?: Artifact[] | undefined;
  /**
   * Which MCP era to capture in: `auto` (default) probes with `server/discover` and uses
   * 2026-07-28 when offered, else `initialize`; `modern` requires 2026-07-28; `legacy`
   * runs only `initialize`. The entries are the same in either; the era never decides a match.
   */
  protocolEra?: ProtocolEraChoice;
  /** Longest a stdio `server/discover` probe waits before taking silence for a legacy server, in ms. Default 10,000 (at most `requestTimeoutMs`). */
  probeTimeoutMs?: number;
  /** Timeout of every single request, `initialize` included, in ms. Default 30,000. */
  requestTimeoutMs?: number;
  /** Most pages one list may have. Default 100. */
  maxPages?: number;
  /** Most bytes (serialized JSON) all list results together may have. Default 16 MiB. */
  maxListBytes?: number;
  /**
   * The stdio server's stderr: `pipe` (default) keeps the last few KiB for error
   * messages and prints nothing; `inherit` passes it through; `ignore` drops it.
   */
  stderr?: 'pipe' | 'inherit' | 'ignore';
  /** Called with the child's pid once a stdio server is spawned (tests, supervisors). */
  onSpawn?: (pid: number) => void;
  /** Called with the server's `initialize` result (e.g. to read a bundle it offers in `_meta`). */
  onInitialize?: (result: Record<string, unknown>) => void;
  /** Called with the server's `server/discover` result when it is captured in MCP 2026-07-28 (where `initialize` is gone, a bundle is offered in its `_meta`). */
  onDiscover?: (result: Record<string, unknown>) => void;
  /** Gets a note for each stdout line of a stdio server skipped as not JSON, and for a dynamic list that could not be read. Default: this process's stderr. */
  onNote?: (note: string) => void;
  /**
   * Lists the publisher does not sign because they are the user's data (`resources`,
   * `resourceTemplates`); recorded in the manifest. A dynamic list that errors does not fail
   * the capture, and its entries are left out of the manifest (see `keepDynamicEntries`).
   */
  dynamic?: DynamicList[];
  /** Keep what was read of the dynamic lists (a live capture to compare and scan); default false (a manifest to sign). */
  keepDynamicEntries?: boolean;
}

/** Limits of one capture after defaults are applied. */
export interface CaptureLimits {
  requestTimeoutMs: number;
  maxPages: number;
  maxListBytes: number;
}

/** The defaults of {@link CaptureOptions}. */
export const CAPTURE_DEFAULTS: CaptureLimits = Object.freeze({
  requestTimeoutMs: 30_000,
  maxPages: 100,
  maxListBytes: 16 * 1024 * 1024,
});

/** Applies defaults to the numeric limits. */
export function captureLimits(options: CaptureOptions = {}): CaptureLimits {
  return {
    requestTimeoutMs: options.requestTimeoutMs ?? CAPTURE_DEFAULTS.requestTimeoutMs,
    maxPages: options.maxPages ?? CAPTURE_DEFAULTS.maxPages,
    maxListBytes: options.maxListBytes ?? CAPTURE_DEFAULTS.maxListBytes,
  };
}

/**
 * Names a server in messages without secrets: the command line for stdio (never the
 * environment), the URL without credentials, query or fragment for HTTP (never headers).
 */
export function describeTarget(target: ServerTarget): string {
  if (target.kind === 'stdio') return `"${[target.command, ...(target.args ?? [])].join(' ')}"`;
  try {
    const url = new URL(target.url);
    return `${url.protocol}//${url.host}${url.pathname}${url.search ? '?…' : ''}`;
  } catch {
    return 'the given URL';
  }
}
