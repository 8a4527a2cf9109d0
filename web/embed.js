// embed.js — puts the Parley chat on any site:
//   <script src="https://support.example.com/embed.js" async></script>
// A round button in the corner opens chat.html from the same Parley server in
// an iframe. Runs on the host page, so it only uses DOM APIs and sets styles
// through CSSOM (no innerHTML).
(function () {
  var script = document.currentScript;
  if (!script) return;
  var base = new URL('.', script.src);
  var lang = script.getAttribute('data-lang') || (navigator.language || 'en').slice(0, 2);
  var open = false;
  var frame = document.createElement('iframe');
  frame.src = new URL('chat.html?lang=' + encodeURIComponent(lang === 'ru' ? 'ru' : 'en'), base).href;
  frame.title = lang === 'ru' ? 'Чат с поддержкой' : 'Chat with support';
  Object.assign(frame.style, { position: 'fixed', right: '16px', bottom: '84px', width: 'min(380px, calc(100vw - 32px))',
    height: 'min(600px, calc(100vh - 110px))', border: '1px solid #d5d9e0', borderRadius: '12px', boxShadow: '0 8px 30px rgba(0,0,0,.2)',
    background: '#fff', display: 'none', zIndex: '2147483646' });
  var button = document.createElement('button');
  button.type = 'button';
  button.textContent = '💬';
  button.setAttribute('aria-label', frame.title);
  button.setAttribute('aria-expanded', 'false');
  Object.assign(button.style, { position: 'fixed', right: '16px', bottom: '16px', width: '56px', height: '56px', borderRadius: '50%',
    border: '0', background: '#2548b8', color: '#fff', fontSize: '26px', cursor: 'pointer', zIndex: '2147483647',
    boxShadow: '0 4px 14px rgba(0,0,0,.25)' });
  button.addEventListener('click', function () {
    open = !open;
    frame.style.display = open ? 'block' : 'none';
    button.setAttribute('aria-expanded', String(open));
    if (open) frame.focus();
  });
  document.body.appendChild(frame);
  document.body.appendChild(button);
}());
