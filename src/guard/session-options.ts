import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CaptureLimits } from '../manifest/capture/options.js';
import type { AuditSink } from './audit.js';
import type { ListsDecision } from './decide.js';
import type { GuardAttestation, GuardSettings } from './settings.js';

/** Obtains the signed manifest once the server's `initialize` result is known (`--bundle-from-server`). */
export type AttestationResolver = (initializeResult: Record<string, unknown>) => Promise<GuardAttestation>;

/** Options of a guarded session. */
export interface GuardOptions {
  /** The verified signed manifest, or a function that obtains and verifies it from the `initialize` result. */
  attestation: GuardAttestation | AttestationResolver;
  /** Enforcement: `enforce`, `match`, `allowHiddenUnicode` (a `Policy` will do). Default: block, exact. */
  settings?: GuardSettings;
  /** Where decisions are recorded. Default: nowhere. */
  audit?: AuditSink;
  /** Also record every allowed call (refused calls are always recorded). Default false. */
  auditAllowedCalls?: boolean;
  /** Limits of the guard's own list reads. */
  limits?: Partial<CaptureLimits>;
  /** Names this session in the audit log. Default: a counter. */
  sessionId?: string;
  /** Called after every verification with its decision. */
  onDecision?: (decision: ListsDecision) => void;
  /** Human-readable log lines (the proxy writes them to stderr). */
  log?: (line: string) => void;
  /**
   * Names the server in messages until the signed manifest names it, e.g. its quoted command
   * line (`describeTarget`; never the environment). Default: "the upstream server".
   */
  serverLabel?: string;
}

/** The client side of a session: where the guard delivers messages for the client. */
export interface ClientPeer {
  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void>;
  close(): Promise<void>;
}
