// What the chat page of every client generation shares: the status line,
// the message list, who is online, the form and the links to the other
// pages, put in place where this script is loaded. Each page (index.html for
// 0.6, v09.html, v2.html, v4.html) adds only its title and how its client
// connects, listens and sends; the 2.x and v4 pages, whose clients are used
// the same way here, share connectSocketIo.
window.chatPage = (function () {
  var shared = document.createElement('div');
  shared.innerHTML =
    '<p id="status">Connecting…</p>' +
    '<ul id="messages"></ul>' +
    '<p>Online: <span id="online"></span></p>' +
    '<form id="chat">' +
    '<input id="text" autocomplete="off" autofocus placeholder="Say something, or /nick and a name">' +
    '<button type="submit">Send</button>' +
    '</form>' +
    '<p>The same room with <a href="/">the Socket.IO 0.6 client</a> · <a href="/v09">the 0.9 client</a> · ' +
    '<a href="/v2">socket.io-client 2.x</a> · <a href="/v4">today\'s socket.io-client (v4)</a></p>';
  var script = document.currentScript;
  while (shared.firstChild) script.parentNode.insertBefore(shared.firstChild, script);

  var status = document.getElementById('status');
  var messages = document.getElementById('messages');
  var online = document.getElementById('online');
  var form = document.getElementById('chat');
  var text = document.getElementById('text');
  text.focus();

  var page = {
    /** The transports `?transport=a,b` in the page's URL asks for, or null. */
    transports: function () {
      var transport = new URLSearchParams(location.search).get('transport');
      return transport ? transport.split(',') : null;
    },
    status: function (line) {
      status.textContent = line;
    },
    show: function (message) {
      var item = document.createElement('li');
      item.textContent = typeof message === 'string' ? message : JSON.stringify(message);
      messages.appendChild(item);
      messages.scrollTop = messages.scrollHeight;
    },
    showPresence: function (list) {
      online.textContent = list.map(function (who) { return who.name + ' (' + who.generation + ')'; }).join(', ');
    },
    /** Hands each line typed in the form to `send`. */
    onSubmit: function (send) {
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        if (!text.value) return;
        send(text.value);
        text.value = '';
        text.focus();
      });
    },
    /**
     * The chat over socket.io-client 2.x or 4.x (`io` from its bundle), shown
     * as `label`. ?transport=websocket (or polling) pins the transport;
     * without it the client polls first and upgrades to websocket.
     */
    connectSocketIo: function (label) {
      var socket = io(page.transports() ? { transports: page.transports() } : {});
      function connected() { page.status('Connected (' + label + ', ' + socket.io.engine.transport.name + ')'); }
      socket.on('connect', connected);
      socket.io.engine.on('upgrade', connected);
      socket.on('disconnect', function () { page.status('Disconnected'); });
      socket.on('connect_error', function (error) { page.status('Could not connect: ' + error.message); });
      // 2.x reports a refusal in onOpen as 'error'; v4 as connect_error.
      socket.on('error', function (error) { page.status('Refused: ' + error); });
      // socket.send(x) on either side is the 'message' event: the same messages every other page gets.
      socket.on('message', page.show);
      socket.on('presence', page.showPresence);
      page.onSubmit(function (line) { socket.send(line); });
    },
  };
  return page;
})();
