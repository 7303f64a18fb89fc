/**
 * Admission: find the MCP servers the clients' configurations run, review and approve them (a
 * signature by the approver), pin them in a lock, and run them behind `toolseal proxy --lock`.
 */
export { CLIENT_IDS, ClientIdSchema, whereFound, type ClientId, type ConfigFile, type ConfiguredServer } from './model.js';
export { wellKnownConfigs, configFileFrom, currentLocationContext, type LocationContext } from './locations.js';
export { readConfigFile, parseConfigText, serversKey, CONFIG_FORMATS, type ReadConfig } from './read-config.js';
export { parseJsonc } from './jsonc.js';
export { findConfiguredServers, type FindServersOptions, type FoundServers } from './discover.js';
export { expandVariables, type ExpandContext } from './expand.js';
export { launchTarget, launchRecord, LaunchRecordSchema, type LaunchRecord, type ClientLaunchOptions } from './launch.js';
export {
  LOCK_MEDIA_TYPE, DEFAULT_LOCK_FILE, LockFileSchema, LockEntrySchema, readLockFile, writeLockFile, lockPolicy, emptyLock,
  type LockFile, type LockEntry,
} from './lock.js';
export { scanServers, verifyEntry, type ScanOptions, type ScanReport, type ServerScan, type ScanStatus } from './scan.js';
export { crossServerFindings, type CrossFinding, type CapturedServer } from './cross.js';
export { approveServers, portablePath, type ApproveOptions, type ApproveResult } from './approve.js';
export { wrapConfig, unwrapConfig, backupPath, type WrapOptions, type WrapResult } from './wrap.js';
export { admitFromLock, type AdmitFromLockOptions, type Admission } from './admit.js';
export { serveQuarantine, type QuarantineOptions } from './quarantine.js';
export { renderScanReport, renderReview, describeFinding, captureFailureLine } from './render.js';
export { scanToSarif } from './sarif.js';
export { scanReportJson, SCAN_REPORT_MEDIA_TYPE } from './report-json.js';
export {
  checkPublisherSignature, offeredBundle, prepareRegistryPublisher, compareRegistryPublisher,
  type PublisherSignature, type PublisherCheckOptions, type RegistryPublisher,
} from './publisher.js';
export { findRegistryEntries, runnerPackage, type RegistryMatch, type RunnerPackage } from './registry.js';
