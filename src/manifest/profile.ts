import { z } from 'zod';
import { InputError } from '../errors.js';
import { deepFreeze } from '../io/deep-freeze.js';
import { readJsonFile } from '../io/files.js';
import { formatZodIssues } from '../io/zod-issues.js';
import type { Manifest } from './schema.js';

/**
 * A client profile file: the name recorded in the manifest and the capabilities the
 * capturing client declares in `initialize`. Strict at the top level (a typo such as
 * `capabilites` must not silently yield a bare client); the capabilities object itself
 * is open because new MCP capabilities appear faster than this schema.
 */
export const ClientProfileSchema = z.strictObject({
  name: z.string().min(1).regex(/^[A-Za-z0-9._-]+$/, 'a profile name is letters, digits, ".", "_" or "-"'),
  capabilities: z.looseObject({
    roots: z.looseObject({ listChanged: z.boolean().optional() }).optional(),
    sampling: z.looseObject({}).optional(),
    elicitation: z.looseObject({}).optional(),
    tasks: z.looseObject({}).optional(),
    experimental: z.record(z.string(), z.looseObject({})).optional(),
  }),
});

/** The capabilities a capture declares, and the name it records them under. */
export type ClientProfile = z.infer<typeof ClientProfileSchema>;

/** A client that declares no capabilities at all: what a minimal MCP client sees. */
export const BARE_PROFILE: ClientProfile = deepFreeze({ name: 'bare', capabilities: {} });

/**
 * A client that declares everything a capable chat client does: roots (with
 * `listChanged`), sampling, form and URL elicitation, and tasks for sampling and
 * elicitation requests. `server-everything` shows such a client 19 tools instead of 13.
 * Capture answers the requests these capabilities invite without doing anything
 * (empty roots, declined elicitation, refused sampling), see `capture/handlers.ts`.
 */
export const FULL_PROFILE: ClientProfile = deepFreeze({
  name: 'full',
  capabilities: {
    roots: { listChanged: true },
    sampling: {},
    elicitation: { form: {}, url: {} },
    tasks: {
      list: {},
      cancel: {},
      requests: { sampling: { createMessage: {} }, elicitation: { create: {} } },
    },
  },
});

/**
 * Resolves `bare`, `full`, or the path of a JSON profile file (read strictly and
 * validated). A file may not take the built-in names, so a manifest's `bare` always
 * means the same capabilities.
 *
 * @throws InputError `PROFILE_INVALID`, or a strict-JSON/file code for an unreadable file
 */
export async function resolveClientProfile(nameOrPath: string): Promise<ClientProfile> {
  if (nameOrPath === 'bare') return BARE_PROFILE;
  if (nameOrPath === 'full') return FULL_PROFILE;
  const profile = parseClientProfile(await readProfileFile(nameOrPath), nameOrPath);
  if (profile.name === 'bare' || profile.name === 'full') {
    throw new InputError('PROFILE_INVALID', `The client profile ${nameOrPath} is named "${profile.name}", a built-in profile name; give it another name.`);
  }
  return profile;
}

/** A missing file may be a mistyped built-in name ("ful"), so the message names both choices. */
async function readProfileFile(path: string): Promise<unknown> {
  try {
    return await readJsonFile(path);
  } catch (err) {
    if (!(err instanceof InputError) || err.code !== 'FILE_UNREADABLE') throw err;
    throw new InputError('FILE_UNREADABLE', `The client profile "${path}" is neither bare nor full, and ${err.message.replace(/\.? Check the path\.$/, '')}. Give bare, full, or the path of a profile JSON file.`, { cause: err });
  }
}

/** Validates an untrusted value as a client profile; `source` names it in errors. */
export function parseClientProfile(value: unknown, source: string): ClientProfile {
  const result = ClientProfileSchema.safeParse(value);
  if (!result.success) {
    throw new InputError('PROFILE_INVALID', `${source} is not a valid client profile ({"name": "...", "capabilities": {...}}): ${formatZodIssues(result.error)}.`);
  }
  return result.data;
}

/**
 * The profile a manifest was captured with, so a verifier captures the live server the
 * way the signer did. The recorded capabilities are used verbatim, whatever the name
 * says: they are what the signed lists depend on.
 */
export function profileFromManifest(manifest: Manifest): ClientProfile {
  return parseClientProfile(
    { name: manifest.capture.clientProfile, capabilities: structuredClone(manifest.capture.clientCapabilities) },
    'the manifest\'s capture.clientCapabilities',
  );
}
