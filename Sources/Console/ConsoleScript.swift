/// The console's only script, served from `/static/console.js` (the Content-Security-Policy
/// allows no inline script): live refresh of the pages that show what is happening now, and a
/// confirmation before the actions that stop work. Every page reads and every form works
/// without it. The refresh swaps in the page's `main` as the server rendered it (escaped there;
/// a parsed document runs no script), skips while the tab is hidden or the operator is typing
/// or selecting, and backs off when the console does not answer. Live: on/off is remembered.
enum ConsoleScript {
    static let source = """
        'use strict';
        (function () {
          document.addEventListener('submit', function (event) {
            var question = event.target.getAttribute('data-confirm');
            if (question && !window.confirm(question)) event.preventDefault();
          });
          var body = document.body;
          var seconds = parseInt(body.getAttribute('data-refresh') || '0', 10);
          if (!(seconds > 0)) return;
          var key = 'calworker.console.live';
          var live = window.localStorage.getItem(key) !== 'off';
          var timer = null;
          var toggle = document.createElement('button');
          toggle.type = 'button';
          toggle.className = 'live';
          function label() { toggle.textContent = live ? 'Live: on' : 'Live: off'; }
          label();
          toggle.addEventListener('click', function () {
            live = !live;
            window.localStorage.setItem(key, live ? 'on' : 'off');
            label();
            schedule(seconds);
          });
          var nav = document.querySelector('nav');
          if (nav) nav.insertBefore(toggle, nav.querySelector('.role'));
          function busy() {
            var active = document.activeElement;
            var typing = active && ['INPUT', 'SELECT', 'TEXTAREA'].indexOf(active.tagName) >= 0;
            return typing || String(window.getSelection()) !== '';
          }
          function schedule(after) {
            if (timer !== null || !live) return;
            timer = window.setTimeout(refresh, after * 1000);
          }
          function refresh() {
            timer = null;
            if (!live) return;
            if (document.hidden || busy()) { schedule(seconds); return; }
            fetch(window.location.href, { credentials: 'same-origin', redirect: 'manual' }).then(function (response) {
              if (response.status !== 200) throw new Error('status ' + response.status);
              return response.text();
            }).then(function (text) {
              var fresh = new DOMParser().parseFromString(text, 'text/html').querySelector('main');
              var main = document.querySelector('main');
              if (fresh && main && !busy()) {
                main.replaceWith(document.adoptNode(fresh));
                body.setAttribute('data-refreshed', String(Date.now()));
              }
              schedule(seconds);
            }).catch(function () { schedule(seconds * 6); });
          }
          schedule(seconds);
        })();

        """
}
