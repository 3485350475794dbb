import type { ProtocolDefinition } from '../registry';
import { V09_TRANSPORTS } from './paths';
import { V09Server } from './server';

/**
 * Socket.IO 0.7-0.9 (socket.io-client 0.9.x, what Tornadio2 served): a
 * handshake at `/<resource>/1/`, `type:id:endpoint:data` packets, endpoints
 * as namespaces, and five transports.
 */
export const V09_PROTOCOL: ProtocolDefinition = {
  name: '0.9',
  transports: V09_TRANSPORTS.map((name) => ({ name, kind: name === 'websocket' || name === 'flashsocket' ? 'upgrade' : 'http' })),
  create: (environment) => new V09Server(environment),
};
