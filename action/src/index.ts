import { runStep } from './step.js';

/**
 * The entry the runner starts (`runs.main` of action.yml, bundled to `action/dist/index.js`):
 * it runs the step as soon as it is loaded, with the runner's environment.
 */
await runStep();
