// biogen preview: reload the page when the site is rebuilt.
//
// `biogen serve --watch` adds this script to the HTML it serves, never to the built
// files. The server answers /__biogen/reload?since=TOKEN as soon as its token
// differs from the one this page was served with (a rebuild changed the site, a
// rebuild failed or was fixed, or the server restarted), or after ~25 s unchanged.
(function () {
  "use strict";
  var script = document.currentScript;
  var token = script ? script.getAttribute("data-token") : "";
  var endpoint = "/__biogen/reload?since=";
  var retryMs = 1000;

  function poll() {
    fetch(endpoint + encodeURIComponent(token), { cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (state) {
        if (state.token !== token) {
          window.location.reload();
        } else {
          poll();
        }
      })
      .catch(function () {
        // The server is stopped or restarting: ask again; a new server has a new
        // token, so the page reloads once it is back.
        window.setTimeout(poll, retryMs);
      });
  }

  poll();
})();
