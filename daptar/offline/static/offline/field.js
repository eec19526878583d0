// Field work on a dead line: signed-in pages register the service worker (which keeps
// the pages opened), and a form marked data-offline that is sent without a line is kept
// on the phone (IndexedDB) with a fresh idempotency key, listed as waiting, and sent
// when the line is back. The server makes each key's write once, so a try whose answer
// was lost costs nothing when it is sent again.
(function () {
  "use strict";

  var me = document.currentScript;
  var box = document.getElementById("outbox");
  if (!me || !box || !window.indexedDB || !window.fetch) return;
  var user = me.dataset.user;
  var STORE = "waiting";
  var flushing = false;

  if ("serviceWorker" in navigator && me.dataset.worker) {
    navigator.serviceWorker.register(me.dataset.worker).catch(function () { /* pages still work */ });
  }

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("daptar-outbox", 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function store(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && result.result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function mine() {
    return store("readonly", function (s) { return s.getAll(); }).then(function (items) {
      return (items || []).filter(function (item) { return item.user === user; })
        .sort(function (a, b) { return a.at - b.at; });
    });
  }

  function freshKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // Kept work is a list of [name, value] pairs (a photo stays a Blob) under its own key.
  // *sameKey*: the work may have reached the server already (a line dropped mid-upload),
  // so it keeps the key it was sent with, unless other held work has that key (a page
  // kept by the service worker, used twice while offline).
  function keep(url, data, label, sameKey) {
    var given = sameKey && data.get("idempotency_key");
    return store("readonly", function (s) { return given ? s.get(given) : null; }).then(function (held) {
      return hold(url, data, label, given && !held ? given : freshKey());
    });
  }

  function hold(url, data, label, key) {
    var entries = [];
    data.forEach(function (value, name) {
      if (name !== "idempotency_key") entries.push([name, value]);
    });
    entries.push(["idempotency_key", key]);
    var item = {
      key: key, user: user, url: url, label: label || "", title: document.title,
      page: window.location.pathname + window.location.search, entries: entries,
      at: Date.now(), refused: false,
    };
    return store("readwrite", function (s) { return s.put(item); }).then(show);
  }

  function send(item) {
    var body = new FormData();
    item.entries.forEach(function (e) { body.append(e[0], e[1]); });
    // A redirect here is the sign-in page (the session ended): keep the work, don't follow.
    return fetch(item.url, {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { "X-Daptar-Outbox": "1", "X-Daptar-Upload": "1" },
    }).then(function (response) {
      if (response.status === 200) {
        backoff = 0;
        return response.json().then(function (answer) {
          return store("readwrite", function (s) { return s.delete(item.key); }).then(function () {
            note(box.dataset.msgSent + " " + item.label);
            document.dispatchEvent(new CustomEvent("daptar:sent", {
              detail: { key: item.key, location: answer.location },
            }));
          });
        });
      }
      if (response.status === 400 || response.status === 403 || response.status === 404 || response.status === 422) {
        item.refused = true;
        return store("readwrite", function (s) { return s.put(item); });
      }
      // 0 (a redirect to sign in), 5xx: the server could not take it now; try again soon.
      retrySoon();
    });
  }

  var backoff = 0;
  function retrySoon() {
    backoff = Math.min(30000, backoff ? backoff * 2 : 2000);
    window.setTimeout(flush, backoff);
  }

  function flush() {
    if (flushing || navigator.onLine === false) return Promise.resolve();
    flushing = true;
    return mine().then(function (items) {
      return items.filter(function (i) { return !i.refused; }).reduce(function (done, item) {
        return done.then(function () { return send(item); });
      }, Promise.resolve());
    }).catch(function () { /* the line dropped again: the rest waits */ }).then(function () {
      flushing = false;
      return show();
    });
  }

  function note(text) {
    var status = box.querySelector("[data-outbox-status]");
    if (status) status.textContent = text;
  }

  function show() {
    return mine().then(function (items) {
      var list = box.querySelector("ul");
      list.textContent = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        var link = document.createElement("a");
        link.href = item.page;
        link.textContent = item.label + " · " + item.title;
        li.appendChild(link);
        li.appendChild(document.createTextNode(" · " + (item.refused ? box.dataset.msgRefused : box.dataset.msgWaiting)));
        if (item.refused) {
          var drop = document.createElement("button");
          drop.type = "button";
          drop.className = "plain";
          drop.textContent = box.dataset.msgDrop;
          drop.addEventListener("click", function () {
            store("readwrite", function (s) { return s.delete(item.key); }).then(show);
          });
          li.appendChild(document.createTextNode(" "));
          li.appendChild(drop);
        }
        list.appendChild(li);
      });
      var digits = document.documentElement.lang === "bn" ? "bn-BD" : "en-US";
      box.querySelector("[data-outbox-count]").textContent = new Intl.NumberFormat(digits).format(items.length);
      box.hidden = items.length === 0 && !box.querySelector("[data-outbox-status]").textContent;
    });
  }

  // Not form.action: a field named "action" (the return's buttons) hides that property.
  function target(form) {
    return new URL(form.getAttribute("action") || "", window.location.href).href;
  }

  function formData(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    return data;
  }

  // Capture: runs before htmx's own listener on the form, which must not try a dead line.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    form.lastSubmitter = event.submitter;
    if (form.matches("form[data-offline]") && navigator.onLine === false) {
      event.preventDefault();
      event.stopImmediatePropagation();
      keep(target(form), formData(form, event.submitter), form.dataset.offline).then(function () {
        note(box.dataset.msgKept);
        box.hidden = false;
      });
    } else if (form.matches("form[data-forget]") && navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage("forget");
    }
  }, true);

  // An htmx form whose request found no line (the phone thought it had one).
  document.addEventListener("htmx:sendError", function (event) {
    var form = event.detail && event.detail.elt;
    if (form && form.matches && form.matches("form[data-offline]")) {
      keep(target(form), formData(form, form.lastSubmitter), form.dataset.offline).then(function () {
        note(box.dataset.msgKept);
      });
    }
  });

  // For other page scripts (the report form): keep this form data until the line is back.
  window.daptarOutbox = { keep: keep };

  window.addEventListener("online", flush);
  window.setInterval(flush, 30000);
  show().then(flush);
})();
