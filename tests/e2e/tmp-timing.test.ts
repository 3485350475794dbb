import { Application, fileHandler, getRouter, SocketConnection, SocketServer, type IncomingMessage } from '../../src';
import { HarnessPage, launchBrowser, newLocalContext, TEST_PAGE_PATH } from './browser';
class Echo extends SocketConnection { override onMessage(m: IncomingMessage) { this.send(m); } }
test('timing', async () => {
  const router = getRouter(Echo);
  const server = new SocketServer(new Application([router.route(), ['/', fileHandler(TEST_PAGE_PATH)]], { socketIoPort: 0, socketIoAddress: '127.0.0.1' }));
  const browser = await launchBrowser(); await server.listening;
  for (let i = 0; i < 3; i++) {
    let t = Date.now(); const lap = (l: string) => { console.log(l, Date.now() - t); t = Date.now(); };
    const context = process.env.NOROUTE ? await browser.newContext() : (await newLocalContext(browser)).context; lap('context');
    const c = await HarnessPage.open(context, `http://127.0.0.1:${server.port}/`); lap('open');
    await c.evaluate(`harness.connect({transports:['websocket']})`); lap('evalconnect');
    await c.waitFor('harness.socket.connected === true'); lap('connected');
    await c.send('x'); await c.waitForMessages(1); lap('echo');
    await context.close(); lap('close');
  }
  await browser.close(); await server.close();
}, 60000);
