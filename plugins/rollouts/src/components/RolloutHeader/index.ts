export { RolloutHeader } from './RolloutHeader';
export type { RolloutHeaderProps } from './RolloutHeader';
