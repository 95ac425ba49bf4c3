/**
 * The one face of the protocol core: everything the app (src/ outside chia/, routes/, scripts/) uses
 * of it comes from here, so the core can be rearranged behind it. The core is framework-free and
 * app-free: it imports nothing from Fastify or the rest of the gateway, and takes what it needs
 * (a logger, options) as parameters.
 */
export * from './upstream-api.js';
export * from './errors.js';
export * from './codec/index.js';
export * from './link/on-behalf-of.js';
export { readChiaCa, type IdentityNames, type PemPair, type SettingName } from './link/tls-identity.js';
export * from './protocol/peer-address.js';
export * from './pool/upstream-manager.js';
export * from './protocol/networks.js';
export * from './protocol/limits.js';
export { bisectHints, coinsSeen, type HintProbe, type PendingCoin } from './coins/hint-resolver.js';
export * from './protocol/transaction-refusals.js';
