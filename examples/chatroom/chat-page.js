// What the chat page of every client generation shares: the message list,
// who is online, the status line and the form. Each page (index.html for
// 0.6, v09.html, v2.html, v4.html) adds only how its client connects,
// listens and sends.
window.chatPage = (function () {
  var status = document.getElementById('status');
  var messages = document.getElementById('messages');
  var online = document.getElementById('online');
  var form = document.getElementById('chat');
  var text = document.getElementById('text');

  return {
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
  };
})();
