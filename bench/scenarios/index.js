'use strict';
// The five scenarios of issue 5: which targets each compares, which of them
// is tornadio (subject), the floor of its stack and socket.io (peer), the
// figures reported (the first is the main one: server CPU per operation),
// and the targets tornadio must meet, as ratios of medians.

/** One reported figure: `lower` says which way is better (for the reader; checks carry their own bound). */
const m = (key, label, unit, digits, lower = true) => ({ key, label, unit, digits, lower });

/**
 * An echo between two protocols of the same tornadio server: the floor is
 * the 0.6 path on the same transport (or `floorName`), and the subject must
 * stay within 1.1× of its server CPU per round trip.
 */
function sameServerEcho(title, subject, floor, what, label, floorName = 'the 0.6 path') {
  return {
    title,
    module: 'echo',
    targets: [subject, floor],
    subject,
    floor,
    describe: (s) => `${what}; ${s.clients} clients × ${s.inFlight} messages in flight, ${s.messageBytes}-byte messages, ${s.durationMs / 1000} s measured after ${s.warmupMs / 1000} s warm-up`,
    metrics: [
      m('serverCpuPerOpUs', 'server CPU per round trip', 'µs', 2),
      m('opsPerSec', 'round trips/s', '', 0, false),
      m('latencyP50Us', 'p50 latency', 'µs', 0),
      m('latencyP99Us', 'p99 latency', 'µs', 0),
      m('otherCpuPct', 'other processes\' CPU during the window', '% of the machine', 0),
      m('errors', 'errors', '', 0),
    ],
    checks: [{ metric: 'serverCpuPerOpUs', against: 'floor', max: 1.1, label: `${label}: server CPU per round trip ≤ 1.1× ${floorName}` }],
  };
}

const SCENARIOS = {
  'echo-ws': {
    title: '1. WebSocket echo',
    module: 'echo',
    targets: ['tornadio-ws', 'raw-ws', 'socketio-ws', 'tornadio-ws-client'],
    subject: 'tornadio-ws',
    floor: 'raw-ws',
    peer: 'socketio-ws',
    describe: (s) => `${s.clients} clients × ${s.inFlight} messages in flight, ${s.messageBytes}-byte messages, ${s.durationMs / 1000} s measured after ${s.warmupMs / 1000} s warm-up`,
    metrics: [
      m('serverCpuPerOpUs', 'server CPU per round trip', 'µs', 2),
      m('opsPerSec', 'round trips/s', '', 0, false),
      m('latencyP50Us', 'p50 latency', 'µs', 0),
      m('latencyP99Us', 'p99 latency', 'µs', 0),
      m('serverCpuUtilPct', 'server CPU use', '% of a core', 0),
      m('generatorCpuPerOpUs', 'generator CPU per round trip', 'µs', 2),
      m('generatorCpuUtilPct', 'generator CPU use', '% of a core', 0),
      m('otherCpuPct', 'other processes\' CPU during the window', '% of the machine', 0),
      m('errors', 'errors', '', 0),
    ],
    checks: [{ metric: 'serverCpuPerOpUs', against: 'floor', max: 1.0, label: 'websocket echo: server CPU per round trip ≤ 1.0× raw ws' }],
  },
  longpoll: {
    title: '2. Long-poll echo',
    module: 'echo',
    targets: ['tornadio-xhr', 'http-longpoll', 'socketio-polling', 'tornadio-xhr-client'],
    subject: 'tornadio-xhr',
    floor: 'http-longpoll',
    peer: 'socketio-polling',
    describe: (s) => `${s.clients} clients × ${s.inFlight} message in flight, ${s.messageBytes}-byte messages, ${s.durationMs / 1000} s measured after ${s.warmupMs / 1000} s warm-up; a round trip is a POST plus the GET it answers`,
    metrics: [
      m('serverCpuPerOpUs', 'server CPU per round trip', 'µs', 1),
      m('opsPerSec', 'round trips/s', '', 0, false),
      m('latencyP50Us', 'p50 latency', 'µs', 0),
      m('latencyP99Us', 'p99 latency', 'µs', 0),
      m('serverCpuUtilPct', 'server CPU use', '% of a core', 0),
      m('generatorCpuPerOpUs', 'generator CPU per round trip', 'µs', 1),
      m('generatorCpuUtilPct', 'generator CPU use', '% of a core', 0),
      m('otherCpuPct', 'other processes\' CPU during the window', '% of the machine', 0),
      m('errors', 'errors', '', 0),
    ],
    checks: [{ metric: 'serverCpuPerOpUs', against: 'floor', max: 1.1, label: 'long-poll: server CPU per round trip ≤ 1.1× plain http' }],
  },
  idle: {
    title: '3. Idle websocket connections',
    module: 'idle',
    targets: ['tornadio-ws', 'raw-ws', 'socketio-ws'],
    subject: 'tornadio-ws',
    floor: 'raw-ws',
    peer: 'socketio-ws',
    describe: (s) => `${s.connections} connections opened ${s.concurrency} at a time; memory after GC against the server's baseline (taken after a warm-up of ${s.warmupConnections} connects, closed)`,
    metrics: [
      m('serverCpuPerConnectUs', 'server CPU per connect', 'µs', 0),
      m('rssPerConnBytes', 'RSS per connection', 'B', 0),
      m('heapPerConnBytes', 'heap per connection', 'B', 0),
      m('connectTotalMs', 'connect time, total', 'ms', 0),
      m('connectPerConnUs', 'connect time per connection (total ÷ n)', 'µs', 0),
      m('connectP50Us', 'single connect p50', 'µs', 0),
      m('connectP99Us', 'single connect p99', 'µs', 0),
      m('generatorCpuPerConnectUs', 'generator CPU per connect', 'µs', 0),
      m('otherCpuPct', 'other processes\' CPU during the window', '% of the machine', 0),
      m('errors', 'errors', '', 0),
    ],
    checks: [
      { metric: 'rssPerConnBytes', against: 'floor', max: 1.25, label: 'idle: RSS per connection ≤ 1.25× raw ws' },
      { metric: 'heapPerConnBytes', against: 'floor', max: 1.5, label: 'idle: heap per connection ≤ 1.5× raw ws' },
      { metric: 'serverCpuPerConnectUs', against: 'floor', max: 1.3, label: 'idle: connect cost (server CPU per connect) ≤ 1.3× raw ws' },
    ],
  },
  broadcast: {
    title: '4. Broadcast fan-out',
    module: 'broadcast',
    targets: ['tornadio-ws', 'raw-ws', 'socketio-ws'],
    subject: 'tornadio-ws',
    floor: 'raw-ws',
    peer: 'socketio-ws',
    describe: (s) => `${s.bytes}-byte message to ${s.clients} websocket clients, ${s.rounds} rounds (after ${s.warmupRounds} warm-up); per run the median over rounds`,
    metrics: [
      m('fanoutMs', 'broadcast call → last client has it', 'ms', 2),
      m('serverBusyMs', 'server busy (call + flushes)', 'ms', 2),
      m('serverCpuPerDeliveryUs', 'server CPU per delivery', 'µs', 2),
      m('firstDeliveryMs', 'broadcast call → first client has it', 'ms', 2),
      m('generatorCpuPerDeliveryUs', 'generator CPU per delivery', 'µs', 2),
      m('errors', 'errors', '', 0),
    ],
    checks: [{ metric: 'fanoutMs', against: 'floor', max: 1.1, label: 'broadcast: fan-out time ≤ 1.1× raw ws' }],
  },
  // The same workloads over socket.io v4's protocol: tornadio and socket.io 4.8 driven by one v4 driver.
  'v4-echo-ws': {
    title: '6. v4 websocket echo',
    module: 'echo',
    targets: ['tornadio-v4-ws', 'raw-ws', 'socketio-ws'],
    subject: 'tornadio-v4-ws',
    floor: 'raw-ws',
    peer: 'socketio-ws',
    describe: (s) => `socket.io v4 protocol; ${s.clients} clients × ${s.inFlight} messages in flight, ${s.messageBytes}-byte messages, ${s.durationMs / 1000} s measured after ${s.warmupMs / 1000} s warm-up`,
    metrics: [
      m('serverCpuPerOpUs', 'server CPU per round trip', 'µs', 2),
      m('opsPerSec', 'round trips/s', '', 0, false),
      m('latencyP50Us', 'p50 latency', 'µs', 0),
      m('latencyP99Us', 'p99 latency', 'µs', 0),
      m('otherCpuPct', 'other processes\' CPU during the window', '% of the machine', 0),
      m('errors', 'errors', '', 0),
    ],
    checks: [{ metric: 'serverCpuPerOpUs', against: 'peer', max: 0.7, label: 'v4 websocket echo: server CPU per round trip ≤ 0.70× socket.io' }],
  },
  // The RFC 6455 path of the same server is the floor: the ratio is what the old draft costs.
  'hixie76-echo': sameServerEcho('10. hixie-76 websocket echo', 'tornadio-hixie76', 'tornadio-ws', 'hixie-76 against RFC 6455 on the 0.6 websocket transport', 'hixie-76 echo', 'the RFC 6455 path'),
  'eio3-echo-ws': sameServerEcho('11. EIO3 websocket echo', 'tornadio-eio3-ws', 'tornadio-ws', 'socket.io-client 2.x protocol (Engine.IO 3) against the 0.6 websocket path', 'EIO3 websocket echo'),
  'eio3-longpoll': sameServerEcho('12. EIO3 long-poll echo', 'tornadio-eio3-polling', 'tornadio-xhr', 'socket.io-client 2.x protocol (Engine.IO 3) against the 0.6 xhr-polling path', 'EIO3 long-poll echo'),
  'v09-echo-ws': sameServerEcho('13. 0.9 websocket echo', 'tornadio-v09-ws', 'tornadio-ws', 'Socket.IO 0.9 protocol against the 0.6 websocket path', '0.9 websocket echo'),
  'v09-longpoll': sameServerEcho('14. 0.9 long-poll echo', 'tornadio-v09-xhr', 'tornadio-xhr', 'Socket.IO 0.9 protocol against the 0.6 xhr-polling path', '0.9 long-poll echo'),
  'v4-longpoll': {
    title: '7. v4 long-poll echo',
    module: 'echo',
    targets: ['tornadio-v4-polling', 'http-longpoll', 'socketio-polling'],
    subject: 'tornadio-v4-polling',
    floor: 'http-longpoll',
    peer: 'socketio-polling',
    describe: (s) => `socket.io v4 protocol; ${s.clients} clients × ${s.inFlight} message in flight, ${s.messageBytes}-byte messages, ${s.durationMs / 1000} s measured after ${s.warmupMs / 1000} s warm-up`,
    metrics: [
      m('serverCpuPerOpUs', 'server CPU per round trip', 'µs', 1),
      m('opsPerSec', 'round trips/s', '', 0, false),
      m('latencyP50Us', 'p50 latency', 'µs', 0),
      m('otherCpuPct', 'other processes\' CPU during the window', '% of the machine', 0),
      m('errors', 'errors', '', 0),
    ],
    checks: [{ metric: 'serverCpuPerOpUs', against: 'peer', max: 0.7, label: 'v4 long-poll: server CPU per round trip ≤ 0.70× socket.io' }],
  },
  'v4-idle': {
    title: '8. v4 idle websocket connections',
    module: 'idle',
    // The floor is the v4 handshake itself on raw ws (open packet, `40` answered): the least any v4 server can spend.
    targets: ['tornadio-v4-ws', 'raw-ws-engine-io', 'socketio-ws', 'raw-ws'],
    subject: 'tornadio-v4-ws',
    floor: 'raw-ws-engine-io',
    peer: 'socketio-ws',
    describe: (s) =>
      `socket.io v4 protocol; ${s.connections} connections opened ${s.concurrency} at a time; memory after GC against the server's baseline. ` +
      '"raw ws, Engine.IO handshake" is raw ws sending the open packet and answering the client\'s `40` with `40{sid}`, and nothing else',
    metrics: [
      m('serverCpuPerConnectUs', 'server CPU per connect', 'µs', 0),
      m('rssPerConnBytes', 'RSS per connection', 'B', 0),
      m('heapPerConnBytes', 'heap per connection', 'B', 0),
      m('otherCpuPct', 'other processes\' CPU during the window', '% of the machine', 0),
      m('errors', 'errors', '', 0),
    ],
    checks: [
      { metric: 'serverCpuPerConnectUs', against: 'peer', max: 0.5, label: 'v4 connect: server CPU per connect ≤ 0.50× socket.io' },
      { metric: 'serverCpuPerConnectUs', against: 'floor', max: 1.1, label: 'v4 connect: server CPU per connect ≤ 1.1× the v4 handshake on raw ws (our own bound)' },
      { metric: 'heapPerConnBytes', against: 'peer', max: 0.4, label: 'v4 idle: heap per connection ≤ 0.40× socket.io' },
    ],
  },
  'v4-broadcast': {
    title: '9. v4 broadcast fan-out',
    module: 'broadcast',
    targets: ['tornadio-v4-ws', 'raw-ws', 'socketio-ws'],
    subject: 'tornadio-v4-ws',
    floor: 'raw-ws',
    peer: 'socketio-ws',
    describe: (s) => `socket.io v4 protocol; ${s.bytes}-byte message to ${s.clients} websocket clients, ${s.rounds} rounds (after ${s.warmupRounds} warm-up)`,
    metrics: [
      m('fanoutMs', 'broadcast call → last client has it', 'ms', 2),
      m('serverCpuPerDeliveryUs', 'server CPU per delivery', 'µs', 2),
      m('errors', 'errors', '', 0),
    ],
    checks: [{ metric: 'fanoutMs', against: 'floor', max: 1.1, label: 'v4 broadcast: fan-out time ≤ 1.1× raw ws' }],
  },
  'cluster-broadcast': {
    title: '15. Cluster broadcast fan-out',
    module: 'broadcast',
    targets: ['tornadio-cluster-ws-2', 'tornadio-cluster-ws-1', 'socketio-redis-ws-2', 'tornadio-cluster-ws-3', 'socketio-redis-ws-1', 'socketio-redis-ws-3'],
    subject: 'tornadio-cluster-ws-2',
    // Against one node of its own: how fan-out grows with the nodes (the 3-node column shows the next step).
    floor: 'tornadio-cluster-ws-1',
    peer: 'socketio-redis-ws-2',
    describe: (s) => `each node on a Redis of the job's own, clients spread round robin, the broadcast asked of the first node; ${s.bytes}-byte message to ${s.clients} websocket clients, ${s.rounds} rounds (after ${s.warmupRounds} warm-up)`,
    metrics: [
      m('fanoutMs', 'broadcast call → last client has it', 'ms', 2),
      m('firstDeliveryMs', 'broadcast call → first client has it', 'ms', 2),
      m('serverCpuPerDeliveryUs', 'server CPU per delivery (all nodes)', 'µs', 2),
      m('errors', 'errors', '', 0),
    ],
    checks: [{ metric: 'fanoutMs', against: 'peer', max: 1.0, label: 'cluster broadcast, 2 nodes: fan-out time ≤ 1.0× socket.io with the Redis adapter' }],
  },
  'cluster-longpoll': {
    title: '16. Long-poll on the wrong node',
    module: 'echo',
    targets: ['tornadio-cluster-polling-forwarded', 'tornadio-cluster-polling-owner'],
    subject: 'tornadio-cluster-polling-forwarded',
    floor: 'tornadio-cluster-polling-owner',
    describe: (s) => `two nodes; the forwarded client's polls and posts after its handshake land on the node that does not own its session; ${s.clients} clients × ${s.inFlight} message in flight, ${s.messageBytes}-byte messages, ${s.durationMs / 1000} s measured after ${s.warmupMs / 1000} s warm-up; server CPU summed over both nodes`,
    metrics: [
      m('serverCpuPerOpUs', 'server CPU per round trip (both nodes)', 'µs', 1),
      m('opsPerSec', 'round trips/s', '', 0, false),
      m('latencyP50Us', 'p50 latency', 'µs', 0),
      m('latencyP99Us', 'p99 latency', 'µs', 0),
      m('errors', 'errors', '', 0),
    ],
    checks: [{ metric: 'serverCpuPerOpUs', against: 'floor', max: 1.5, label: 'wrong-node long-poll: server CPU ≤ 1.5× a long-poll on its owner' }],
  },
  mixed: {
    title: '5. Mixed concurrent sessions',
    module: 'mixed',
    targets: ['tornadio-mixed', 'socketio-mixed'],
    subject: 'tornadio-mixed',
    floor: null,
    peer: 'socketio-mixed',
    describe: (s) => `${s.sessions} sessions, half websocket and half polling, opened ${s.concurrency} at a time, held ${s.holdMs / 1000} s; each sends one ${s.messageBytes}-byte message every ${s.sendEveryMs / 1000} s and expects the echo`,
    metrics: [
      m('errors', 'errors', '', 0),
      m('rssPerSessionBytes', 'RSS per session', 'B', 0),
      m('heapPerSessionBytes', 'heap per session', 'B', 0),
      m('serverCpuPerRoundTripUs', 'server CPU per round trip (hold)', 'µs', 1),
      m('serverCpuUtilPct', 'server CPU use (hold)', '% of a core', 1),
      m('generatorCpuUtilPct', 'generator CPU use (hold)', '% of a core', 1),
      m('wsLatencyP50Us', 'websocket p50 latency', 'µs', 0),
      m('wsLatencyP99Us', 'websocket p99 latency', 'µs', 0),
      m('pollLatencyP50Us', 'polling p50 latency', 'µs', 0),
      m('pollLatencyP99Us', 'polling p99 latency', 'µs', 0),
      m('connectTotalMs', 'time to open all sessions', 'ms', 0),
      m('otherCpuPct', 'other processes\' CPU during the window', '% of the machine', 0),
    ],
    checks: [{ metric: 'errors', against: 'zero', label: 'mixed: no errors' }],
  },
};

module.exports = { SCENARIOS };
