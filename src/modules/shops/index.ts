/**
 * Shops: a merchant account's shops, their technical settings (Robokassa's: MerchantLogin, passwords
 * #1-#3 and test passwords sealed at rest, hash algorithm, Result/Success/Fail URLs) and moderation.
 */
export { registerModerationRoutes, registerShopRoutes } from './shop.routes.js';
export {
  createShop,
  findShopById,
  findShopByMerchantLogin,
  readShopPasswords,
  updateShopSettings,
  type ShopPasswords,
  type ShopView,
} from './shop.service.js';
