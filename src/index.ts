export { SocketConnection } from './connection';
export type {
  ConnectionClass,
  ConnectionInfo,
  IncomingMessage,
  JsonValue,
  OpenResult,
  RequestInfo,
  SessionControl,
} from './connection';
export { getRouter, SocketRouter } from './router';
export type { RequestHandler, RouterStats, SocketRoute } from './router';
export { Application } from './application';
export type { Route } from './application';
export { SocketServer } from './server';
export type { SocketServerOptions } from './server';
export { FlashPolicyServer, DEFAULT_POLICY, POLICY_REQUEST } from './flash-policy-server';
export { SettingsError, RequestError } from './errors';
export type { RequestErrorCode } from './errors';
export { TRANSPORT_NAMES, ROUTER_DEFAULTS, APPLICATION_DEFAULTS } from './settings';
export type { ApplicationSettings, RouterSettings, TransportName } from './settings';
export { silentLogger } from './logger';
export type { Logger } from './logger';
export { fileHandler } from './static';
