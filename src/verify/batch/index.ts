export { SharedVerificationCaches, type Thresholds } from './verifier.js';
