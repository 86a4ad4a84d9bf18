/**
 * Vault: owns card numbers. The only module that stores a PAN (sealed with AES-256-GCM under a key derived
 * from the master key) and the only way to read one back, for the acquirer call. Everything else refers
 * to a card by its token ('card_…') and mask (first 6, last 4). The CVC is never stored. Saved cards
 * (recurring payments) bind a stored card to the payment that saved it and its shop.
 */
export { vaultErrors } from './card-vault.errors.js';
export {
  maskPan,
  readCardForAcquirer,
  storeCard,
  type CardForAcquirer,
  type CardToStore,
  type StoredCard,
} from './card-vault.service.js';
export {
  describeStoredCard,
  findSavedCard,
  listPaymentsWithSavedCards,
  saveCardForPayment,
  type CardDescription,
} from './saved-card.service.js';
