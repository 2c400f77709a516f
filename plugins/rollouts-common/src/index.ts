/**
 * Shared by the Kube Rollouts frontend and backend: annotations, permissions and API types.
 *
 * @packageDocumentation
 */

export * from './annotations';
export * from './permissions';
export * from './api';
