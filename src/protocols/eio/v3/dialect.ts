/**
 * Engine.IO 3 / Socket.IO protocol 4, as socket.io-client 2.x speaks it and
 * engine.io 3 / socket.io 2 served it. Every fact that sets it apart from
 * v4 is here or in this folder (the packet framing in engine-codec.ts,
 * JSONP in jsonp.ts); the rest of the session is shared.
 */
import { decodeUtf8Body } from '../../../http/body';
import type { EngineDialect } from '../dialect';
import { SocketPacketType } from '../socket-codec';
import { jsonpFormPayload } from './jsonp';
import { decodeBinaryPayload, decodeFromWebSocket, decodeTextPayload, encodeBinaryPayload, encodeForWebSocket, encodeTextPayload } from './engine-codec';

export const EIO3_DIALECT: EngineDialect = {
  protocol: 'eio3',
  // The 2.x client pings every pingInterval; the server only answers.
  clientPings: true,
  // engine.io 3's open packet: no maxPayload (the 2.x client knows no such limit).
  handshakeTail: (settings, upgrades) => JSON.stringify({ upgrades, pingInterval: settings.ms.pingInterval, pingTimeout: settings.ms.pingTimeout }).substring(1),
  encodeForWebSocket,
  decodeFromWebSocket,
  // engine.io 3 sends a binary payload only when the client can read one and there is binary to carry.
  encodePollBody: (packets, binaryCapable) =>
    binaryCapable && packets.some((packet) => Buffer.isBuffer(packet.data)) ? encodeBinaryPayload(packets) : encodeTextPayload(packets),
  decodePostBody: (body, maxPackets) => (typeof body === 'string' ? decodeTextPayload(body, maxPackets) : decodeBinaryPayload(body, maxPackets)),
  // The browser client posts binary as a binary payload, marked by exactly this type (as engine.io 3 checks it).
  postBody: (bytes, contentType, jsonp) => {
    if (contentType === 'application/octet-stream' && !jsonp) return bytes;
    const text = decodeUtf8Body(bytes);
    return jsonp ? jsonpFormPayload(text) : text;
  },
  // socket.io 2 joins `/` for every client and sends its `40` right after the open packet.
  joinsRootImplicitly: true,
  strictNamespaces: false,
  splitNamespace: (nsp) => {
    const mark = nsp.indexOf('?');
    return mark === -1 ? { name: nsp, query: null } : { name: nsp.substring(0, mark), query: nsp.substring(mark + 1) };
  },
  // socket.io 2's ids, which the 2.x client shows as `socket.id`: the engine id in `/`, `<nsp>#<engine id>` elsewhere.
  socketId: (engineId, namespace) => (namespace === '/' ? engineId : `${namespace}#${engineId}`),
  // `40` or `40/chat,`: no sid in protocol 4.
  connectAnswer: (nsp) => ({ type: SocketPacketType.CONNECT, nsp }),
  // An ERROR packet with the message as a JSON string (or the error's data, as socket.io 2 sends `err.data || err.message`).
  refusal: (nsp, payload) => ({ type: SocketPacketType.CONNECT_ERROR, nsp, data: payload.data ?? payload.message }),
};
