export * from './errors.js';
export * from './common.js';
export * from './auth.js';
export * from './socket.js';
export * from './directory.js';
export * from './devices.js';
export * from './messaging.js';
export * from './inbox.js';
