// @caravan/domain: Caravan's rules as pure functions over plain data. Each area names its exports
// one by one in its own index; this file only gathers them.
export * from './deciders/index.js';
export * from './sharing/index.js';
export * from './risk/index.js';
export * from './chain/index.js';
