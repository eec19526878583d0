// The phone form for illustrated reports: photos are made smaller in the browser
// before they travel (a 5 MB camera photo becomes ~250 KB at the widest rendition's
// 1600 pixels, a few seconds on a 2G line), the upload shows its
// progress, and a dropped connection loses nothing. Without this script the form
// still posts normally and the server takes the originals.
(function () {
  "use strict";

  var form = document.getElementById("report-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;

  var SHRINKABLE = ["image/jpeg", "image/png", "image/webp"];
  var maxEdge = parseInt(form.dataset.maxEdge || "1600", 10);
  var shrinkAbove = parseInt(form.dataset.shrinkAbove || "400000", 10);
  var busy = false;

  function status(text) {
    var el = form.querySelector("#upload-status");
    if (el) el.textContent = text;
  }

  function progress(value) {
    var bar = form.querySelector("#upload-progress");
    if (!bar) return;
    bar.hidden = value === null;
    if (value !== null) bar.value = value;
  }

  // One photo drawn smaller on a canvas and re-encoded as JPEG: the browser applies
  // the camera's orientation, and the re-encoding carries no EXIF or GPS.
  function shrink(file) {
    if (SHRINKABLE.indexOf(file.type) < 0 || file.size <= shrinkAbove || !window.createImageBitmap) {
      return Promise.resolve(file);
    }
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, maxEdge / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff"; // transparent PNGs become JPEGs on white, not black
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) bitmap.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) return resolve(file);
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified }));
        }, "image/jpeg", 0.8);
      });
    }).catch(function () {
      return file; // e.g. HEIC on a browser that cannot draw it: the server converts it
    });
  }

  function send(data) {
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action") || window.location.href);
    xhr.setRequestHeader("X-Daptar-Upload", "1");
    xhr.upload.onprogress = function (event) {
      if (event.lengthComputable) progress(Math.round((100 * event.loaded) / event.total));
    };
    xhr.onload = function () {
      busy = false;
      progress(null);
      if (xhr.status === 200) {
        try {
          window.location.assign(JSON.parse(xhr.responseText).location);
          return;
        } catch (e) { /* fall through: show whatever came back */ }
      }
      if (xhr.status === 400) {
        form.innerHTML = xhr.responseText; // the form again, with its errors
        status("");
        return;
      }
      // Refused (403: the desk may not; a stale page's token): say so, keep the form.
      status(xhr.status >= 500 || xhr.status === 0 ? form.dataset.msgOffline : form.dataset.msgRefused);
    };
    xhr.onerror = xhr.ontimeout = function () {
      busy = false;
      progress(null);
      if (!window.daptarOutbox) {
        status(form.dataset.msgOffline);
        return;
      }
      // Kept on the phone under the same key, and sent by itself when the line is back:
      // if this try reached the server after all, the next one finds its report.
      var key = data.get("idempotency_key");
      window.daptarOutbox.keep(form.getAttribute("action") || window.location.href, data, form.dataset.label, true)
        .then(function () {
          status(form.dataset.msgKept);
          document.addEventListener("daptar:sent", function (event) {
            if (event.detail.key === key && event.detail.location) window.location.assign(event.detail.location);
          });
        }, function () { status(form.dataset.msgOffline); });
    };
    xhr.send(data);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) return; // a second tap while sending would only send the same thing again
    busy = true;
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) data.append(event.submitter.name, event.submitter.value);
    var input = form.querySelector("input[type=file][name=photos]");
    var files = input && input.files ? Array.prototype.slice.call(input.files) : [];
    status(files.length ? form.dataset.msgShrinking : form.dataset.msgSending);
    Promise.all(files.map(shrink)).then(function (ready) {
      data.delete("photos");
      ready.forEach(function (file) { data.append("photos", file, file.name); });
      status(form.dataset.msgSending);
      progress(0);
      send(data);
    });
  });
})();
