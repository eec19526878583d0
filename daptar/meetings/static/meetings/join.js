// After the join is recorded, go on to the video room (a form may not redirect to another site under the CSP).
document.addEventListener("DOMContentLoaded", function () {
  var link = document.querySelector("[data-open-room]");
  if (link) { window.location.assign(link.href); }
});
