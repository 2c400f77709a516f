export { RolloutHistory } from './RolloutHistory';
export type { RolloutHistoryProps } from './RolloutHistory';
