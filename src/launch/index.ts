export {
  resolveLaunch, parseEnvAssignments, isLaunchSecret, LAUNCH_SECRET_NAMES, type LaunchOptions, type Launch,
} from './resolve.js';
export { readEnvFile, parseEnvFile } from './env-file.js';
