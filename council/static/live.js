// Live updates over server-sent events (htmx-ext-sse). While a page's event stream is down it
// keeps what it shows and says it is stale (class live-stale on <html>); the extension
// reconnects with back-off. Back after an error, every live piece of the page is fetched again
// (the browser's own reconnection also gets a "changed" from the server: Last-Event-ID).
(function () {
  if (!document.addEventListener || !document.documentElement.classList) return;
  var root = document.documentElement;
  var broken = false;
  document.addEventListener("htmx:sseError", function () {
    broken = true;
    root.classList.add("live-stale");
    root.classList.remove("live-open");
  });
  document.addEventListener("htmx:sseOpen", function (e) {
    root.classList.remove("live-stale");
    root.classList.add("live-open");
    if (!broken || !window.htmx) return;
    broken = false;
    var source = e.target;
    var pieces = source.querySelectorAll("[data-hx-trigger*='sse:changed'], [hx-trigger*='sse:changed']");
    for (var i = 0; i < pieces.length; i++) window.htmx.trigger(pieces[i], "sse:changed");
  });
})();
