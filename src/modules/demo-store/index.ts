/** Demo store: an example merchant site at /demo-store (outside production), wired to the demo shop. */
export { registerDemoStoreRoutes, type DemoStoreSettings } from './demo-store.routes.js';
