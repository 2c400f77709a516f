import { createApp } from '@backstage/frontend-defaults';
import { navModule } from './modules/nav';

/**
 * The portal. Every plugin listed in this package's dependencies is discovered
 * (`app.packages: all` in app-config.yaml); the nav module lays out the sidebar.
 */
export default createApp({
  features: [navModule],
});
