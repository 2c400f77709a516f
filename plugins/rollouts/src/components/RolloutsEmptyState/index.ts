export { RolloutsEmptyState, annotationExample } from './RolloutsEmptyState';
export type { RolloutsEmptyStateProps } from './RolloutsEmptyState';
