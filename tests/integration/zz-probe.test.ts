import { connect, waitFor } from '../helpers/test-client';
import { startEchoServer, type TestServer } from '../helpers/server';
it('probe', async () => {
  let server!: TestServer;
  server = await startEchoServer({}, { onOpen: (info) => {
    const c = server.log.connections.get(info.sessionId)!;
    c.join('lobby');
    c.emit('hello', 1);
    c.to('lobby').send('newcomer ' + info.transport);
    server.router.to('lobby').send('router-in-onOpen ' + info.transport);
    c.leave(c.id);
    console.log('rooms after leaving own id', [...c.rooms]);
  }});
  const a = await connect('websocket', server.port);
  const b = await connect('xhr-polling', server.port);
  server.router.send('sync');
  await waitFor(() => a.messages.includes('sync') && b.messages.includes('sync'));
  console.log(a.messages, b.messages);
  console.log(await server.router.fetchConnections());
  server.log.connections.get(a.sessionId)!.to('lobby').send('a->lobby');
  server.router.except(a.sessionId).send('except a');
  server.router.send('sync2');
  await waitFor(() => a.messages.includes('sync2') && b.messages.includes('sync2'));
  console.log(a.messages, b.messages);
  a.close(); b.close();
  await server.close();
});
