import type { ResolvedRouterSettings } from '../../settings';
import { decodeUtf8Body } from '../../http/body';
import { decodeFromWebSocket, decodePollingPayload, encodeForPolling, encodeForWebSocket, encodePollingPayload, type EnginePacket } from './engine-codec';
import { SocketPacketType, type SocketPacket } from './socket-codec';

/** What a refused connection tells its client: the message, and the error's own `data` if it had one. */
export interface RefusalPayload {
  message: string;
  data?: unknown;
}

/**
 * Everything that differs between the Engine.IO generations one server
 * speaks (v4: socket.io-client 3.x/4.x; v3: socket.io-client 2.x, in
 * `v3/dialect.ts`). The session, the upgrade, the sockets and the hub are
 * shared; a session asks its dialect whenever the two disagree.
 */
export interface EngineDialect {
  /** `info.protocol` of the connections it carries. */
  readonly protocol: 'eio3' | 'eio4';
  /**
   * Who keeps the heartbeat: in v4 the server pings and the client answers;
   * in v3 the client pings, the server answers `3` and closes a session
   * silent for pingInterval + pingTimeout.
   */
  readonly clientPings: boolean;
  /** The open packet's JSON after the sid (the same for every session of a router). */
  handshakeTail(settings: ResolvedRouterSettings, upgrades: readonly string[]): string;
  encodeForWebSocket(packet: EnginePacket, base64Only: boolean): string | Buffer;
  decodeFromWebSocket(data: Buffer, isBinary: boolean): EnginePacket;
  /** A poll answer's body; `binaryCapable` says the client can read a binary body (it did not ask for `b64=1`). */
  encodePollBody(packets: readonly EnginePacket[], binaryCapable: boolean): string | Buffer;
  /**
   * What a POST body holds: its text, or its bytes when it is a binary
   * payload. `jsonp` for a JSONP session's form post. Throws a RequestError
   * for a body that is neither (not UTF-8, no form field).
   */
  postBody(bytes: Buffer, contentType: string | undefined, jsonp: boolean): string | Buffer;
  /** A POST body's packets (text, or a binary payload's bytes). Throws EngineDecodeError. */
  decodePostBody(body: string | Buffer, maxPackets: number): EnginePacket[];
  /** v3: the default namespace is joined with the session, without a CONNECT packet. */
  readonly joinsRootImplicitly: boolean;
  /**
   * v4 (as socket.io 4): a packet for a namespace the client never joined,
   * or a second CONNECT to one it is in, closes the client. v3 (as
   * socket.io 2): the packet is dropped and the second CONNECT ignored, since
   * socket.io-client 2.x sends CONNECT again when `open()` is called early.
   */
  readonly strictNamespaces: boolean;
  /** The namespace a CONNECT names, and the query a v3 client appends to it (`/chat?x=1`). */
  splitNamespace(nsp: string): { name: string; query: string | null };
  /** The id of a client's socket in one namespace; `ids` makes a fresh one. */
  socketId(engineId: string, namespace: string, ids: { newSessionId(): string }): string;
  /** The answer to an accepted CONNECT. */
  /** The answer to an accepted CONNECT; `pid` is the private id of connection state recovery, when on. */
  connectAnswer(namespace: string, socketId: string, pid?: string): SocketPacket;
  /** The answer to a refused CONNECT (or an unknown namespace). */
  refusal(namespace: string, payload: RefusalPayload): SocketPacket;
}

/** Engine.IO 4 / Socket.IO 5. */
export const EIO4_DIALECT: EngineDialect = {
  protocol: 'eio4',
  clientPings: false,
  handshakeTail: (settings, upgrades) =>
    JSON.stringify({ upgrades, pingInterval: settings.ms.pingInterval, pingTimeout: settings.ms.pingTimeout, maxPayload: settings.maxPayload }).substring(1),
  encodeForWebSocket: (packet, base64Only) => (base64Only ? encodeForPolling(packet) : encodeForWebSocket(packet)),
  decodeFromWebSocket: (data, isBinary) => decodeFromWebSocket(isBinary ? data : data.toString('utf8'), isBinary),
  encodePollBody: (packets) => (packets.length === 1 ? encodeForPolling(packets[0]) : encodePollingPayload(packets)),
  // v4 polling bodies are always text (binary travels as `b` + base64).
  postBody: (bytes) => decodeUtf8Body(bytes),
  decodePostBody: (body, maxPackets) => decodePollingPayload(typeof body === 'string' ? body : body.toString('utf8'), maxPackets),
  joinsRootImplicitly: false,
  strictNamespaces: true,
  splitNamespace: (nsp) => ({ name: nsp, query: null }),
  socketId: (_engineId, _namespace, ids) => ids.newSessionId(),
  connectAnswer: (nsp, socketId, pid) => ({ type: SocketPacketType.CONNECT, nsp, data: pid === undefined ? { sid: socketId } : { sid: socketId, pid } }),
  refusal: (nsp, payload) => ({ type: SocketPacketType.CONNECT_ERROR, nsp, data: payload }),
};
