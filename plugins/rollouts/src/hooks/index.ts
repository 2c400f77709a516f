export { useRollout, defaultPollIntervals } from './useRollout';
export type { UseRolloutResult, RolloutPollIntervals } from './useRollout';
export { useRolloutEvents } from './useRolloutEvents';
export type { UseRolloutEventsResult } from './useRolloutEvents';
