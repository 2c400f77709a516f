export { rolloutsApiRef } from './RolloutsApi';
export type { RolloutsApi, GetRolloutEventsOptions } from './RolloutsApi';
export { RolloutsClient } from './RolloutsClient';
