import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CreateMessageRequestSchema, ElicitRequestSchema, ErrorCode, ListRootsRequestSchema, McpError,
} from '@modelcontextprotocol/sdk/types.js';
import type { ClientProfile } from '../profile.js';

/**
 * Answers the server requests that the profile's capabilities invite, so a server that
 * asks for roots, sampling or elicitation while being captured gets an answer instead
 * of waiting (and making the capture wait) forever. Capture does nothing on the
 * server's behalf: roots are empty, elicitation is declined, sampling is refused.
 * Requests for capabilities the profile does not declare get the SDK's "Method not found".
 */
export function answerProfileRequests(client: Client, profile: ClientProfile): void {
  const caps = profile.capabilities;
  if (caps.roots) client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [] }));
  if (caps.elicitation) client.setRequestHandler(ElicitRequestSchema, () => ({ action: 'decline' as const }));
  if (caps.sampling) {
    client.setRequestHandler(CreateMessageRequestSchema, () => {
      throw new McpError(ErrorCode.InvalidRequest, 'toolseal is capturing this server\'s lists and does not sample.');
    });
  }
}
