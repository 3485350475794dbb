import type { ProtocolDefinition, TransportDefinition } from '../registry';
import { V06Server } from './server';
import { HtmlfileTransport } from './transports/htmlfile';
import { JsonpPollingTransport } from './transports/jsonp-polling';
import type { HttpTransport, TransportContext, UpgradeTransport } from './transports/transport';
import { WebSocketTransport } from './transports/websocket';
import { XhrMultipartTransport } from './transports/xhr-multipart';
import { XhrPollingTransport } from './transports/xhr-polling';
import type { TransportName } from './transport-names';

type V06Transport =
  | (TransportDefinition<TransportContext, HttpTransport> & { readonly kind: 'http'; readonly name: TransportName })
  | (TransportDefinition<TransportContext, UpgradeTransport> & { readonly kind: 'upgrade'; readonly name: TransportName });

/** The six transports of Socket.IO 0.6, in the order the 0.6 client prefers them. */
export const V06_TRANSPORTS: readonly V06Transport[] = [
  { name: 'websocket', kind: 'upgrade', create: (context) => new WebSocketTransport('websocket', context) },
  // The same wire format; a Flash object plays the WebSocket in browsers without one.
  { name: 'flashsocket', kind: 'upgrade', create: (context) => new WebSocketTransport('flashsocket', context) },
  { name: 'htmlfile', kind: 'http', create: (context) => new HtmlfileTransport('htmlfile', context) },
  { name: 'xhr-multipart', kind: 'http', create: (context) => new XhrMultipartTransport('xhr-multipart', context) },
  { name: 'xhr-polling', kind: 'http', create: (context) => new XhrPollingTransport('xhr-polling', context) },
  { name: 'jsonp-polling', kind: 'http', create: (context) => new JsonpPollingTransport('jsonp-polling', context) },
];

/** Socket.IO 0.6 (2010): `~m~` framing, six transports, the session id as the first message. */
export const V06_PROTOCOL: ProtocolDefinition = {
  name: '0.6',
  transports: V06_TRANSPORTS,
  create: (environment) => new V06Server(environment, V06_TRANSPORTS),
};
