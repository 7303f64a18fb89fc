import type { Command } from 'commander';
import { DEFAULT_BUNDLE_FILE } from '../../src/sign/bundle-file.js';
import { printJson, setExitCode } from '../output.js';
import { addServerOptions, collect, dynamicOption, hasServer, targetFromFlags, captureFlags, type ServerFlags } from '../server-flags.js';
import { signerOptionsOf, type SignerFlags } from '../signer-flags.js';

interface SignFlags extends ServerFlags, SignerFlags {
  manifest?: string;
  clientProfile?: string;
  exclude: string[];
  dynamic: string[];
  artifact: string[];
  output: string;
  manifestOutput?: string;
  json?: boolean;
}

/**
 * `toolseal sign`: signs a manifest file, or captures a live server and signs that, and
 * writes the Sigstore bundle atomically. Keyless by default (OIDC token from the flag,
 * SIGSTORE_ID_TOKEN or GitHub Actions), key-based with --key.
 */
export function registerSign(program: Command): void {
  const command = program
    .command('sign')
    .description('sign a manifest (or capture a server and sign it) with Sigstore, writing a bundle')
    .usage('(--manifest FILE | --stdio -- CMD [ARGS...] | --url URL) [options]')
    .option('--manifest <file>', 'the manifest to sign (from toolseal capture)');
  addServerOptions(command, false)
    .option('--client-profile <profile>', 'with --stdio/--url: client capabilities to declare: full (default), bare, or a JSON file')
    .option('--exclude <path>', 'with --stdio/--url: leave this path out of the manifest (repeatable)', collect, [])
    .option('--dynamic <list>', 'with --stdio/--url: resources or resourceTemplates are the user\'s data, not signed (repeatable)', collect, [])
    .option('--artifact <uri[,sha256:hex]>', 'bind the manifest to a package, e.g. pkg:npm/%40acme/weather@1.4.0 (repeatable)', collect, [])
    .option('--identity-token <jwt>', 'OIDC token for keyless signing (default: SIGSTORE_ID_TOKEN, then GitHub Actions)')
    .option('--fulcio-url <url>', 'Fulcio of a private Sigstore instance (default: public-good)')
    .option('--rekor-url <url>', 'Rekor of a private Sigstore instance (default: public-good; with --key: none unless given)')
    .option('--tsa-url <url>', 'RFC 3161 timestamp authority to add a signed timestamp')
    .option('--signing-config <file>', 'a Sigstore signing_config.json naming the instance')
    .option('--key <pem-file>', 'sign with this ECDSA P-256 private key instead of keyless (passphrase: TOOLSEAL_KEY_PASSPHRASE)')
    .option('-o, --output <file>', 'where to write the bundle', DEFAULT_BUNDLE_FILE)
    .option('--manifest-output <file>', 'with --stdio/--url: also write the captured manifest here')
    .option('--allow-public-log', 'sign keyless on Sigstore public-good even when the token says the repository is private (its name, workflow and ref become public)')
    .option('--json', 'print the result as JSON')
    .action(async (commandLine: string[], flags: SignFlags, cmd: Command) => {
      await runSign(commandLine, flags);
      setExitCode(cmd, 0);
    });
}

async function runSign(commandLine: string[], flags: SignFlags): Promise<void> {
  const { assertWritableDestination, signToFiles, signedLines } = await import('../../src/internal.js');
  // Before signing: a keyless signature is logged in Rekor for good, even if the write then fails.
  await assertWritableDestination(flags.output);
  if (flags.manifestOutput) await assertWritableDestination(flags.manifestOutput);
  const signed = await signToFiles({
    signer: signerOptionsOf(flags),
    source: {
      ...(flags.manifest !== undefined ? { manifestPath: flags.manifest } : {}),
      ...(hasServer(commandLine, flags) ? { target: targetFromFlags(commandLine, flags) } : {}),
      ...(flags.clientProfile !== undefined ? { clientProfile: flags.clientProfile } : {}),
      exclude: flags.exclude, artifacts: flags.artifact, capture: { ...captureFlags(flags), ...dynamicOption(flags.dynamic) },
    },
    bundlePath: flags.output,
    manifestPath: flags.manifestOutput || undefined,
  });
  const { manifest, result } = signed;
  if (flags.json) {
    printJson({ bundle: flags.output, manifestDigest: result.digest, server: manifest.server, signer: result.signedBy ?? null, logIndex: result.logIndex ?? null, tools: manifest.tools.length });
  } else {
    process.stdout.write(`${signedLines(signed, flags.output).join('\n')}\n`);
  }
}
