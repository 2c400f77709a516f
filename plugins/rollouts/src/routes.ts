import { createRouteRef } from '@backstage/core-plugin-api';

/** The Rollouts tab of an entity page. */
export const rootRouteRef = createRouteRef({
  id: 'rollouts',
});
