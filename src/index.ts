export { SocketConnection } from './connection';
export type {
  Broadcast,
  ConnectionClass,
  ConnectionInfo,
  IncomingMessage,
  JsonValue,
  OpenResult,
  RequestInfo,
  SessionControl,
} from './connection';
export { getRouter, SocketRouter } from './router';
export type { FetchConnectionsOptions, RequestHandler, SocketRoute } from './router';
export { BroadcastOperator } from './hub/broadcast-operator';
export type { Adapter, BroadcastOptions, ConnectionSummary } from './hub/adapter';
export type { ProtocolName } from './hub/member';
export type { OutgoingPacket } from './hub/packet';
export type { RouterStats } from './hub/stats';
export { Application } from './application';
export type { Route } from './application';
export { SocketServer } from './server';
export type { SocketServerOptions } from './server';
export { FlashPolicyServer, DEFAULT_POLICY, POLICY_REQUEST } from './flash-policy-server';
export { REFUSALS, SettingsError, RequestError } from './errors';
export type { RequestErrorCode } from './errors';
export { ROUTER_DEFAULTS, APPLICATION_DEFAULTS, ROUTER_SETTINGS, APPLICATION_SETTINGS } from './settings';
export type { ApplicationSettings, ClusterSettings, RouterSettings } from './settings';
export { CLUSTER_SETTINGS } from './settings';
export type { ClusterHealth, ClusterStats, NodeStats } from './cluster/redis-cluster';
export { TRANSPORT_NAMES } from './protocols/v06/transport-names';
export type { TransportName } from './protocols/v06/transport-names';
export { silentLogger } from './logger';
export type { Logger } from './logger';
export { fileHandler } from './static';
export { metricsHandler } from './metrics';
export type { MetricsHandler } from './metrics';
