/** The six transports of Socket.IO 0.6, in the order the 0.6 client prefers them. */
export const TRANSPORT_NAMES = [
  'websocket',
  'flashsocket',
  'htmlfile',
  'xhr-multipart',
  'xhr-polling',
  'jsonp-polling',
] as const;

export type TransportName = (typeof TRANSPORT_NAMES)[number];

export function isTransportName(name: string): name is TransportName {
  return (TRANSPORT_NAMES as readonly string[]).includes(name);
}
