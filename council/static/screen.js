// A lobby screen (council/screens, kiosk.html). ES5 on purpose: screens are old tablets and
// cheap TV sticks. The slides rotate; the clock and the countdowns follow the server's time
// (each fetched deck carries it in data-now); the deck is swapped in place on every signal of
// the screen's stream (htmx + its SSE extension); one timer for everything, no listener added
// after start, so a screen left running for weeks does not grow. A browser without EventSource
// or fetch polls the slides every 30 s (or reloads the page if it cannot even do that).
(function () {
  "use strict";
  var doc = document;
  var root = doc.documentElement;
  var body = doc.body;
  if (!body || !doc.getElementById || !body.getAttribute) return;
  var slidesBox = doc.getElementById("slides");
  var live = doc.getElementById("live");
  if (!slidesBox) return;

  var rotateEvery = Math.max(1, parseInt(body.getAttribute("data-rotate"), 10) || 12);
  var probeUrl = body.getAttribute("data-probe");
  var tz = body.getAttribute("data-tz");
  var lang = body.getAttribute("data-lang") || "zh-Hans";
  var daysFormat = body.getAttribute("data-days") || "{d} {hms}";
  var modern = !!(window.EventSource && window.fetch && window.htmx && window.XMLHttpRequest);
  var offset = 0; // server time minus this browser's time, in ms
  var currentKey = null;
  var shownFor = 0; // seconds the current slide has been shown
  var sinceFetch = 0; // seconds since the deck last arrived
  var refreshing = false;
  var stopped = false;
  var timer = null;
  var lastProbe = 0;
  var opened = false; // the stream has been open before
  var dateFormat = null;
  var timeFormat = null;

  function has(el, name) {
    return (" " + el.className + " ").indexOf(" " + name + " ") >= 0;
  }
  function setClass(el, name, on) {
    var has_ = has(el, name);
    if (on && !has_) el.className = (el.className ? el.className + " " : "") + name;
    if (!on && has_) el.className = (" " + el.className + " ").replace(" " + name + " ", " ").replace(/^\s+|\s+$/g, "");
  }
  function now() {
    return new Date().getTime() + offset;
  }
  function slides() {
    return slidesBox.getElementsByTagName("section");
  }

  // --- the server's clock -------------------------------------------------------------------
  function readServerTime() {
    var deck = slidesBox.firstElementChild || slidesBox.getElementsByTagName("div")[0];
    var t = deck && parseInt(deck.getAttribute("data-now"), 10);
    if (t) offset = t - new Date().getTime();
  }
  try {
    dateFormat = new Intl.DateTimeFormat(lang, { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" });
    timeFormat = new Intl.DateTimeFormat(lang, { timeZone: tz, hour: "2-digit", minute: "2-digit", hour12: false });
  } catch (e) {
    dateFormat = timeFormat = null; // no Intl or no such zone: the server's text stays
  }
  function pad(n) {
    return n < 10 ? "0" + n : "" + n;
  }
  function showClock() {
    if (!timeFormat) return;
    var d = new Date(now());
    var el = doc.getElementById("clock-time");
    if (el) el.textContent = timeFormat.format(d);
    el = doc.getElementById("clock-date");
    if (el) el.textContent = dateFormat.format(d).replace(/\//g, "-");
  }
  function showCountdowns() {
    var marks = slidesBox.querySelectorAll ? slidesBox.querySelectorAll("[data-until]") : [];
    for (var i = 0; i < marks.length; i++) {
      var left = Math.max(0, Math.floor((parseInt(marks[i].getAttribute("data-until"), 10) - now()) / 1000));
      var days = Math.floor(left / 86400);
      var s = left % 86400;
      var hms = pad(Math.floor(s / 3600)) + ":" + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
      marks[i].textContent = days ? daysFormat.replace("{d}", days).replace("{hms}", hms) : hms;
      if (left === 0 && !marks[i].getAttribute("data-done")) {
        marks[i].setAttribute("data-done", "1");
        refresh(); // the vote has just closed: its results slide replaces it
      }
    }
  }

  // --- rotation -----------------------------------------------------------------------------
  function show(index) {
    var all = slides();
    if (!all.length) return;
    index = ((index % all.length) + all.length) % all.length;
    for (var i = 0; i < all.length; i++) setClass(all[i], "current", i === index);
    currentKey = all[index].getAttribute("data-slide");
    shownFor = 0;
    var dots = doc.getElementById("dots");
    if (dots) dots.textContent = all.length > 1 ? (index + 1) + " / " + all.length : "";
  }
  function indexOf(key) {
    var all = slides();
    for (var i = 0; i < all.length; i++) if (all[i].getAttribute("data-slide") === key) return i;
    return -1;
  }
  function afterDeck() {
    // the new deck: keep showing the slide that was on screen (it may have moved or gone)
    readServerTime();
    sinceFetch = 0;
    refreshing = false;
    var i = currentKey ? indexOf(currentKey) : 0;
    show(i < 0 ? 0 : i);
    showCountdowns();
  }

  // --- stopping -----------------------------------------------------------------------------
  function stop() {
    if (stopped) return;
    stopped = true;
    if (timer) clearInterval(timer);
    timer = null;
    var message = doc.getElementById("stopped-message");
    if (live && window.htmx && htmx.remove) htmx.remove(live); // closes its event stream
    else if (live && live.parentNode) live.parentNode.removeChild(live);
    var bar = doc.getElementsByTagName("footer")[0];
    if (bar && bar.parentNode) bar.parentNode.removeChild(bar);
    var box = doc.createElement("main");
    box.className = "stopped-box";
    box.innerHTML = message ? message.innerHTML : "";
    body.appendChild(box);
    setClass(root, "stopped", true);
  }
  function probe() {
    // the stream failed for good: a revoked screen answers 410 (stop), a server that is down
    // answers nothing (keep the last content, marked stale; the extension reconnects)
    var t = new Date().getTime();
    if (!probeUrl || stopped || t - lastProbe < 5000) return;
    lastProbe = t;
    var xhr = new XMLHttpRequest();
    xhr.open("GET", probeUrl, true);
    xhr.onreadystatechange = function () {
      if (xhr.readyState === 4 && (xhr.status === 404 || xhr.status === 410)) stop();
    };
    xhr.send();
  }

  // --- fetching -----------------------------------------------------------------------------
  function refresh() {
    if (stopped || refreshing) return;
    refreshing = true;
    if (modern) {
      htmx.trigger(slidesBox, "screen:refresh");
      return;
    }
    poll();
  }
  function poll() {
    if (!window.XMLHttpRequest) {
      window.location.reload();
      return;
    }
    var xhr = new XMLHttpRequest();
    xhr.open("GET", probeUrl, true);
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) return;
      refreshing = false;
      if (xhr.status === 200) {
        slidesBox.innerHTML = xhr.responseText;
        setClass(root, "live-stale", false);
        afterDeck();
      } else if (xhr.status === 404 || xhr.status === 410) {
        stop();
      } else {
        setClass(root, "live-stale", true);
      }
    };
    xhr.send();
  }

  function tick() {
    shownFor += 1;
    sinceFetch += 1;
    if (shownFor >= rotateEvery) show(indexOf(currentKey) + 1);
    showClock();
    showCountdowns();
    // a signal may be lost (a proxy, a sleeping tablet): fetch anyway every few minutes;
    // without a stream, every 30 s
    if (sinceFetch >= (modern ? 300 : 30)) {
      sinceFetch = 0;
      refresh();
    }
    if (refreshing && sinceFetch > 20) refreshing = false; // a fetch that never answered
  }

  if (modern) {
    doc.addEventListener("htmx:afterSwap", function (e) {
      if (e.target === slidesBox) afterDeck();
    });
    doc.addEventListener("htmx:responseError", function (e) {
      var xhr = e.detail && e.detail.xhr;
      refreshing = false;
      if (xhr && (xhr.status === 404 || xhr.status === 410)) stop();
    });
    doc.addEventListener("htmx:sendError", function () {
      refreshing = false;
      setClass(root, "live-stale", true);
    });
    doc.addEventListener("htmx:sseError", function (e) {
      setClass(root, "live-stale", true);
      var source = e.detail && e.detail.source;
      if (source && source.readyState === 2) probe(); // CLOSED: an HTTP error, not a drop
    });
    doc.addEventListener("htmx:sseOpen", function () {
      setClass(root, "live-stale", false);
      if (opened) refresh(); // back after a drop or a restart: catch up with what changed
      opened = true;
    });
    doc.addEventListener("htmx:sseClose", function (e) {
      if (e.detail && e.detail.type === "message") stop(); // the server said "revoked"
    });
  } else if (live) {
    // no EventSource or fetch: htmx stays out of it (it runs after this script)
    live.removeAttribute("data-hx-ext");
    live.removeAttribute("data-sse-connect");
    slidesBox.removeAttribute("data-hx-get");
    slidesBox.removeAttribute("data-hx-trigger");
  }

  setClass(root, "js-rotate", true);
  readServerTime();
  show(0);
  showClock();
  showCountdowns();
  timer = setInterval(tick, 1000);
})();
