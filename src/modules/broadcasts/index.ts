/**
 * Broadcasts: the operator's news and announcements to all merchants or chosen ones, delivered into their
 * messages and by e-mail to the people subscribed to the category (through the messages module).
 */
export { registerBroadcastRoutes } from './broadcast.routes.js';
export {
  BROADCAST_QUEUE,
  createBroadcast,
  createBroadcastHandler,
  listBroadcasts,
} from './broadcast.service.js';
