import {
  DEFAULT_BUNDLE_FILE, InputError, parseDynamicLists, parseEnvAssignments, parseProtocolEra, type DynamicList, type PolicyOptions,
  type ProtocolEraChoice, type ServerSpec,
} from '../../src/internal.js';
import { splitCommandLine } from './command-line.js';

/** What the step does. */
export type Mode = 'sign' | 'verify' | 'check';

/** Every input of action.yml, read once into one typed object. */
export interface ActionInputs {
  mode: Mode;
  server: ServerSpec;
  clientProfile?: string;
  /** sign: the lists the publisher does not sign because they are the user's data (`dynamic`, as `--dynamic`). */
  dynamic: DynamicList[];
  exclude: string[];
  artifacts: string[];
  manifest?: string;
  manifestOutput?: string;
  bundle: string;
  /** Identity pins, trust, match and min-version for verify. */
  policy: PolicyOptions;
  /** Signing: a private key file (sign) — in verify mode `key` is a public key pin instead. */
  signingKey?: string;
  fulcioURL?: string;
  rekorURL?: string;
  tsaURL?: string;
  signingConfig?: string;
  match?: string;
  timeoutMs?: number;
  /** How every capture of the server runs: the per-request timeout and the MCP era to speak. */
  capture: { requestTimeoutMs?: number; protocolEra: ProtocolEraChoice };
  /** verify: the public-good trusted root shipped with toolseal, no TUF refresh (`offline`). */
  offline: boolean;
  /** Variables for the server on top of the step's environment (`env` input). */
  serverEnv: Record<string, string>;
  /** The server's working directory (`working-directory` input). */
  workingDirectory?: string;
  /** Write the job summary (`show-summary`, default true). */
  showSummary: boolean;
  /** Sign keyless on public-good even from a private repository. */
  allowPublicLog: boolean;
  /** Store the bundle in GitHub's attestation store (`store-attestation`). */
  storeAttestation: boolean;
  /** The token for the attestation store (`github-token`, default the job's token). Never printed. */
  githubToken?: string;
}

/** Inputs each mode reads; any other non-empty input is refused so a typo or a wrong mode is not silently ignored. */
const SERVER_INPUTS = ['command', 'url', 'headers', 'env', 'working-directory', 'timeout', 'protocol-era'];
const MODE_INPUTS: Record<Mode, string[]> = {
  sign: [...SERVER_INPUTS, 'client-profile', 'dynamic', 'exclude', 'artifact', 'manifest', 'manifest-output', 'key',
    'fulcio-url', 'rekor-url', 'tsa-url', 'signing-config', 'allow-public-log', 'store-attestation'],
  verify: [...SERVER_INPUTS, 'manifest', 'policy', 'certificate-identity', 'certificate-identity-regexp',
    'certificate-oidc-issuer', 'github-repository', 'github-repository-id', 'github-ref', 'github-workflow-ref',
    'runner-environment', 'key', 'trusted-root', 'offline', 'match', 'min-version', 'server-name', 'refuse-dynamic-lists'],
  check: [...SERVER_INPUTS, 'manifest', 'match'],
};
/** Inputs with a default in action.yml (the runner always sets them) or read by every mode. */
const ALWAYS = new Set(['mode', 'bundle', 'show-summary', 'github-token']);
const ALL_INPUTS = new Set([...ALWAYS, ...Object.values(MODE_INPUTS).flat()]);

/** Every input name the entry reads, for the test that keeps action.yml in step. */
export const INPUT_NAMES: readonly string[] = [...ALL_INPUTS].sort();

/**
 * Reads the step's inputs from the environment as the runner passes them: `INPUT_` + the
 * name upper-cased with spaces as `_` and dashes kept (`INPUT_CLIENT-PROFILE`). Empty means
 * not given. Parsing only: every decision is the library's.
 *
 * @throws InputError `INPUT_INVALID` / `COMMAND_INVALID`
 */
export function readInputs(env: NodeJS.ProcessEnv): ActionInputs {
  const read = inputReader(env);
  const mode = parseMode(read.get('mode'));
  refuseForeignInputs(mode, env);
  const timeout = read.get('timeout');
  return {
    mode,
    ...readServerInputs(read),
    bundle: read.get('bundle') ?? DEFAULT_BUNDLE_FILE,
    policy: readPolicyInputs(read, mode),
    ...readSigningInputs(read, mode),
    ...optional('match', read.get('match')),
    ...(timeout !== undefined ? { timeoutMs: parseTimeout(timeout) } : {}),
    capture: { ...(timeout !== undefined ? { requestTimeoutMs: parseTimeout(timeout) } : {}), protocolEra: parseProtocolEra(read.get('protocol-era')) },
    offline: parseBoolean('offline', read.get('offline'), false),
    showSummary: parseBoolean('show-summary', read.get('show-summary'), true),
    allowPublicLog: parseBoolean('allow-public-log', read.get('allow-public-log'), false),
    storeAttestation: parseBoolean('store-attestation', read.get('store-attestation'), false),
    ...optional('githubToken', read.get('github-token')),
  };
}

/** How the runner hands inputs over: `INPUT_<NAME>` variables, trimmed; an empty one is absent. */
interface InputReader {
  get(name: string): string | undefined;
  /** A multi-line input, one value per non-empty line. */
  lines(name: string): string[];
}

function inputReader(env: NodeJS.ProcessEnv): InputReader {
  const get = (name: string): string | undefined => {
    const value = env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`]?.trim();
    return value ? value : undefined;
  };
  return { get, lines: (name) => (get(name) ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean) };
}

/** The server to capture and how: command or URL, its launch, what the manifest records. */
function readServerInputs(read: InputReader): Pick<ActionInputs, 'server' | 'clientProfile' | 'dynamic' | 'exclude' | 'artifacts' | 'manifest' | 'manifestOutput' | 'serverEnv' | 'workingDirectory'> {
  const command = read.get('command');
  const url = read.get('url');
  return {
    server: {
      ...(command !== undefined ? { command: splitCommandLine(command) } : {}),
      ...(url !== undefined ? { url } : {}),
      headers: read.lines('headers'),
    },
    ...optional('clientProfile', read.get('client-profile')),
    dynamic: parseDynamicLists(read.lines('dynamic'), 'The input "dynamic"'),
    exclude: read.lines('exclude'),
    artifacts: read.lines('artifact'),
    ...optional('manifest', read.get('manifest')),
    ...optional('manifestOutput', read.get('manifest-output')),
    serverEnv: parseEnvAssignments(read.lines('env')),
    ...optional('workingDirectory', read.get('working-directory')),
  };
}

/** Who may sign and what counts as a match (verify); `key` is a public key only when verifying. */
function readPolicyInputs(read: InputReader, mode: ActionInputs['mode']): ActionInputs['policy'] {
  const keys = read.lines('key');
  return {
    ...optional('policyPath', read.get('policy')),
    ...optional('certificateIdentity', read.get('certificate-identity')),
    ...optional('certificateIdentityRegexp', read.get('certificate-identity-regexp')),
    ...optional('certificateOidcIssuer', read.get('certificate-oidc-issuer')),
    ...optional('githubRepository', read.get('github-repository')),
    ...optional('githubRepositoryId', read.get('github-repository-id')),
    ...optional('githubRef', read.get('github-ref')),
    ...optional('githubWorkflowRef', read.get('github-workflow-ref')),
    ...optional('runnerEnvironment', read.get('runner-environment')),
    ...(mode === 'verify' && keys.length > 0 ? { key: keys } : {}),
    ...optional('trustedRoot', read.get('trusted-root')),
    ...optional('match', read.get('match')),
    ...optional('minVersion', read.get('min-version')),
    ...optional('serverName', read.get('server-name')),
    ...(parseBoolean('refuse-dynamic-lists', read.get('refuse-dynamic-lists'), false) ? { refuseDynamicLists: true } : {}),
  };
}

/** The Sigstore instance to sign with, or (sign mode) the private key. */
function readSigningInputs(read: InputReader, mode: ActionInputs['mode']): Pick<ActionInputs, 'signingKey' | 'fulcioURL' | 'rekorURL' | 'tsaURL' | 'signingConfig'> {
  return {
    ...optional('signingKey', mode === 'sign' ? read.get('key') : undefined),
    ...optional('fulcioURL', read.get('fulcio-url')),
    ...optional('rekorURL', read.get('rekor-url')),
    ...optional('tsaURL', read.get('tsa-url')),
    ...optional('signingConfig', read.get('signing-config')),
  };
}

/** A boolean input as the runner's toolkit reads one: true, True, TRUE, false, False, FALSE. */
function parseBoolean(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw invalid(`The input "${name}" is true or false, not "${value}".`);
}

function parseMode(value: string | undefined): Mode {
  if (value === 'sign' || value === 'verify' || value === 'check') return value;
  throw invalid(value === undefined
    ? 'The input "mode" is required: sign, verify or check.'
    : `The input "mode" is sign, verify or check, not "${value}".`);
}

function refuseForeignInputs(mode: Mode, env: NodeJS.ProcessEnv): void {
  const allowed = new Set([...ALWAYS, ...MODE_INPUTS[mode]]);
  const given = Object.entries(env)
    .filter(([name, value]) => name.startsWith('INPUT_') && value?.trim())
    .map(([name]) => name.slice('INPUT_'.length).toLowerCase());
  const foreign = given.filter((name) => ALL_INPUTS.has(name) && !allowed.has(name));
  if (foreign.length > 0) {
    throw invalid(`The input${foreign.length > 1 ? 's' : ''} ${foreign.map((n) => `"${n}"`).join(', ')} ${foreign.length > 1 ? 'do' : 'does'} not apply to mode ${mode}; remove ${foreign.length > 1 ? 'them' : 'it'} or change the mode.`);
  }
}

function parseTimeout(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0) throw invalid(`The input "timeout" takes a positive number of milliseconds, not "${value}".`);
  return ms;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

function invalid(message: string): InputError {
  return new InputError('INPUT_INVALID', message);
}
