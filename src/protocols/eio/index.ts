import type { ProtocolDefinition } from '../registry';
import { EioServer } from './server';

/**
 * Engine.IO 4 / Socket.IO 5 (socket.io-client 3.x and 4.x): `/<resource>/?EIO=4`,
 * polling and websocket, with the upgrade between them.
 */
export const EIO_PROTOCOL: ProtocolDefinition = {
  name: 'eio4',
  transports: [
    { name: 'polling', kind: 'http' },
    { name: 'websocket', kind: 'upgrade' },
  ],
  create: (environment) => new EioServer(environment),
};
