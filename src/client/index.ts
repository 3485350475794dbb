/**
 * A Node client for the Socket.IO 0.6 protocol, over `websocket` or
 * `xhr-polling`: `import { SocketIoClient } from 'tornadio/client'`.
 */
export { SocketIoClient } from './client';
export type { DisconnectReason, OutgoingMessage, ServerMessage, SocketIoClientEvents } from './client';
export type { ClientTransportName, SocketIoClientOptions } from './options';
export { ClientError } from './errors';
export type { ClientErrorCode } from './errors';
export type { JsonValue } from '../connection';
