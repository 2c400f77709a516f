export { RolloutPhase } from './RolloutPhase';
