export { RolloutsCard } from './RolloutsCard';
export type { RolloutsCardProps } from './RolloutsCard';
