export { RolloutVersions } from './RolloutVersions';
