// Live updates over server-sent events (htmx-ext-sse). While a page's event stream is down it
// keeps what it shows and says it is stale; the extension reconnects with back-off, and the
// server sends "changed" on every (re)connection, so the page catches up at once.
(function () {
  if (!document.addEventListener || !document.documentElement.classList) return;
  function mark(stale) {
    document.documentElement.classList.toggle("live-stale", stale);
  }
  document.addEventListener("htmx:sseError", function () { mark(true); });
  document.addEventListener("htmx:sseOpen", function () { mark(false); });
})();
