// Daptar's service worker: the office pages a secretary has opened stay readable when
// the line is dead. Pages come from the network while there is one (and are kept);
// without one, the kept copy answers. Writes are never handled here: the page's own
// script (offline/field.js) keeps them on the phone and sends them when the line is back.
"use strict";

var CACHE = "daptar-field-v1";
var OFFICE = "{{ office|escapejs }}";
var STATIC = "{{ static|escapejs }}";

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) {
        return caches.delete(n);
      }));
    }).then(function () { return self.clients.claim(); })
  );
});

function keepable(request, response) {
  if (!response.ok || response.type !== "basic" || response.redirected) return false;
  if (new URL(request.url).pathname.indexOf(STATIC) === 0) return true;
  return (response.headers.get("Content-Type") || "").indexOf("text/html") === 0;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  // htmx asks for a piece of a page under the page's own address: never keep those.
  if (request.method !== "GET" || request.headers.get("HX-Request")) return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf(OFFICE) !== 0 && url.pathname.indexOf(STATIC) !== 0) return;
  event.respondWith(
    fetch(request).then(function (response) {
      if (keepable(request, response)) {
        var copy = response.clone();
        event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.put(request, copy); }));
      }
      return response;
    }).catch(function () {
      return caches.match(request, { ignoreVary: true }).then(function (kept) {
        return kept || Response.error();
      });
    })
  );
});

// Signing out forgets every kept page: they hold the office's data.
self.addEventListener("message", function (event) {
  if (event.data === "forget") event.waitUntil(caches.delete(CACHE));
});
