import { jsonError, jsonResponse, type RouteHandler } from './http-server.js';
import { canonicalizeProposedEntry } from './rekor-entry.js';
import type { LocalRekorLog } from './rekor-log.js';

const ENTRIES_PATH = '/api/v1/log/entries';

/**
 * Rekor's v1 entry API over a {@link LocalRekorLog}: `POST /api/v1/log/entries` (201, or 409
 * with a `Location` for an entry already logged, as Rekor answers) and `GET …/entries/<uuid>`.
 */
export function rekorHandler(log: LocalRekorLog): RouteHandler {
  return async ({ method, url, body }) => {
    if (method === 'POST' && url.pathname === ENTRIES_PATH) return createEntry(log, body);
    if (method === 'GET' && url.pathname.startsWith(`${ENTRIES_PATH}/`)) {
      const index = log.indexOfUuid(url.pathname.slice(ENTRIES_PATH.length + 1));
      if (index < 0) return jsonError(404, 'no entry with that UUID in this log');
      return jsonResponse(200, { [log.uuidOf(index)]: log.entry(index) });
    }
    return undefined;
  };
}

function createEntry(log: LocalRekorLog, body: Buffer) {
  let canonical: Buffer;
  try {
    canonical = canonicalizeProposedEntry(JSON.parse(body.toString('utf8')));
  } catch (err) {
    return jsonError(400, `entry rejected: ${(err as Error).message}`);
  }
  const existing = log.indexOf(canonical);
  if (existing >= 0) {
    const location = `${ENTRIES_PATH}/${log.uuidOf(existing)}`;
    return jsonResponse(409, { code: 409, message: 'an equivalent entry already exists in the transparency log' }, { Location: location });
  }
  const index = log.append(canonical);
  const uuid = log.uuidOf(index);
  return jsonResponse(201, { [uuid]: log.entry(index) }, { Location: `${ENTRIES_PATH}/${uuid}` });
}
