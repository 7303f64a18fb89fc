import type { Command } from 'commander';
import { registerCanonicalize } from './canonicalize.js';
import { registerCheck } from './check.js';
import { registerInspect } from './inspect.js';
import { registerKeygen } from './keygen.js';
import { registerSign } from './sign.js';
import { registerVerify } from './verify.js';
import { registerAudit } from './audit.js';
import { registerCapture } from './capture.js';
import { registerDiff } from './diff.js';
import { registerProxy } from './proxy.js';
import { registerVerifyBundle } from './verify-bundle.js';
import { registerScan } from './scan.js';
import { registerApprove } from './approve.js';
import { registerWrap } from './wrap.js';

/** Registers every subcommand on the program. One file per command in this folder. */
export function registerCommands(program: Command): void {
  registerAudit(program);
  registerCapture(program);
  registerCheck(program);
  registerSign(program);
  registerVerify(program);
  registerInspect(program);
  registerKeygen(program);
  registerCanonicalize(program);
  registerDiff(program);
  registerProxy(program);
  registerVerifyBundle(program);
  registerScan(program);
  registerApprove(program);
  registerWrap(program);
}
