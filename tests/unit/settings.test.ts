import { SettingsError } from '../../src/errors';
import { TRANSPORT_NAMES } from '../../src/protocols/v06/transport-names';
import { resolveApplicationSettings, resolveRouterSettings, ROUTER_DEFAULTS } from '../../src/settings';

describe('router settings', () => {
  it("keeps Tornadio's defaults", () => {
    const settings = resolveRouterSettings();
    expect([...settings.enabledProtocols].sort()).toEqual([...TRANSPORT_NAMES].sort());
    expect(settings.sessionCheckInterval).toBe(15);
    expect(settings.sessionExpiry).toBe(30);
    expect(settings.heartbeatInterval).toBe(12);
    expect(settings.xhrPollingTimeout).toBe(20);
    expect(settings.resource).toBe('socket.io');
    expect(settings.extraRe).toBeNull();
    expect(settings.origins).toEqual(['*:*']);
    expect(settings.maxMessageSize).toBe(ROUTER_DEFAULTS.maxMessageSize);
  });

  it('accepts fractions of seconds so tests can run fast', () => {
    expect(resolveRouterSettings({ heartbeatInterval: 0.2 }).heartbeatInterval).toBe(0.2);
  });

  it.each([
    [{ heartbeatIntervall: 1 }, 'heartbeatIntervall', 'unknown router setting'],
    [{ enabledProtocols: ['websocket', 'carrier-pigeon'] }, 'enabledProtocols', 'carrier-pigeon'],
    [{ enabledProtocols: 'websocket' }, 'enabledProtocols', 'array'],
    [{ sessionExpiry: 0 }, 'sessionExpiry', 'positive number'],
    [{ sessionCheckInterval: -1 }, 'sessionCheckInterval', 'positive number'],
    [{ heartbeatInterval: Number.NaN }, 'heartbeatInterval', 'positive number'],
    [{ xhrPollingTimeout: '20' }, 'xhrPollingTimeout', 'positive number'],
    [{ resource: '/socket.io' }, 'resource', 'leading or trailing'],
    [{ resource: '' }, 'resource', 'leading or trailing'],
    [{ extraRe: '(' }, 'extraRe', 'regular expression'],
    [{ origins: ['example.com'] }, 'origins', 'host:port'],
    [{ maxMessageSize: 1.5 }, 'maxMessageSize', 'positive integer'],
    [{ logger: { info() {} } }, 'logger', 'debug, info, warn and error'],
  ])('%j is refused, naming the key', (settings, key, problem) => {
    let caught: unknown;
    try {
      resolveRouterSettings(settings as never);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SettingsError);
    expect((caught as SettingsError).key).toBe(key);
    expect((caught as Error).message).toContain(`"${key}"`);
    expect((caught as Error).message).toContain(problem);
  });

  it('refuses a non-object', () => {
    expect(() => resolveRouterSettings('fast' as never)).toThrow(SettingsError);
  });
});

describe('application settings', () => {
  it('has the defaults of Tornadio', () => {
    const settings = resolveApplicationSettings();
    expect(settings.socketIoPort).toBe(8001);
    expect(settings.flashPolicyPort).toBe(843);
    expect(settings.flashPolicyFile).toBeNull();
  });

  it.each([
    [{ socketIoPort: 70000 }, 'socketIoPort'],
    [{ flashPolicyPort: -1 }, 'flashPolicyPort'],
    [{ flashPolicyFile: 42 }, 'flashPolicyFile'],
    [{ socket_io_port: 8001 }, 'socket_io_port'],
  ])('%j is refused, naming the key', (settings, key) => {
    expect(() => resolveApplicationSettings(settings as never)).toThrow(new RegExp(`"${key}"`));
  });
});
