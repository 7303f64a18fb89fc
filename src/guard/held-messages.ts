import type { GuardRecord } from './report-decision.js';
import { EarlyRequests } from './early-requests.js';
import { errorResponse, type RpcId, type RpcMessage } from './rpc.js';

/** Most messages held per direction until the client is in; more is a flood, not a handshake. */
export const MAX_HELD = 1000;

/** Where {@link HeldMessages} sends what it answers itself, and what it records. */
export interface HeldMessagesPeer {
  toClient(msg: RpcMessage): void;
  toUpstream(msg: RpcMessage): void;
  record(fields: GuardRecord): void;
}

/**
 * The traffic of a 2025-era session before the client is in (between the client's
 * `initialize` and the guard's answer to it, once the lists are verified). Messages of either
 * direction are held, at most {@link MAX_HELD} per direction: beyond that a client request is
 * answered with an error, a client notification dropped, and server messages dropped (the
 * first drop recorded), so a flood before the handshake ends cannot grow memory without
 * bound. A server *request* is not held but forwarded at once with a bound (see
 * `EarlyRequests`): holding it could deadlock a server that asks for roots before it
 * answers `tools/list`.
 */
export class HeldMessages {
  private readonly fromClient: RpcMessage[] = [];
  private readonly fromServer: RpcMessage[] = [];
  private droppedFromServer = 0;
  private readonly early: EarlyRequests;

  constructor(requestTimeoutMs: number, private readonly peer: HeldMessagesPeer) {
    // A quarter of the list timeout each: the server's list answer waits for these, so a
    // few unanswered ones in a row must still leave it time to answer within its own bound.
    this.early = new EarlyRequests(Math.ceil(requestTimeoutMs / 4), (id, method, ms) => {
      peer.toUpstream(errorResponse(id, -32001, `toolseal: the client did not answer ${method} within ${ms} ms while the server's lists were being verified.`) as RpcMessage);
    });
  }

  /** Holds a client message until the client is in. */
  holdFromClient(msg: RpcMessage): void {
    if (this.fromClient.length < MAX_HELD) return void this.fromClient.push(msg);
    if (msg.id !== undefined) {
      this.peer.toClient(errorResponse(msg.id, -32000, `toolseal: more than ${MAX_HELD} messages arrived before the server's lists were verified; send them after initialize completes.`) as RpcMessage);
    }
  }

  /** Holds a server message until the client is in. */
  holdFromServer(msg: RpcMessage): void {
    if (this.fromServer.length < MAX_HELD) return void this.fromServer.push(msg);
    if (++this.droppedFromServer === 1) this.peer.record({ event: 'session', decision: 'dropped', reason: `the server sent more than ${MAX_HELD} messages before its lists were verified; later ones were dropped` });
  }

  /**
   * Forwards a server request while the lists are read, with its bound. The client has
   * declared its capabilities in the `initialize` already forwarded.
   */
  forwardEarly(msg: RpcMessage): void {
    this.early.track(msg.id!, msg.method!);
    this.peer.toClient(msg);
  }

  /** Called with every client response: false when it answers an early request the guard already answered (drop it). */
  settle(id: RpcId | undefined): boolean {
    return this.early.settle(id);
  }

  /** Every held client message, in arrival order; none are held afterwards. */
  takeFromClient(): RpcMessage[] {
    return this.fromClient.splice(0);
  }

  /** Every held server message, in arrival order; none are held afterwards. */
  takeFromServer(): RpcMessage[] {
    return this.fromServer.splice(0);
  }

  /** Stops every early request's clock (the session closed). */
  clear(): void {
    this.early.clear();
  }
}
