export { RolloutsContent } from './RolloutsContent';
export type { RolloutsContentProps } from './RolloutsContent';
