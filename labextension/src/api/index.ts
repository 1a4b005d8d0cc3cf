/** The one REST client of the extension (see client.ts) and the API's types. */
export * from './client';
export * from './deployments';
export * from './registry';
export * from './registryWrites';
export * from './types';
