/* A job's page: poll its status each second, show its progress and status line, and
   reload once it has finished (the server then shows its result). */
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || !box.dataset.job) { return; }
  var bar = document.getElementById("job-progress");
  var percent = document.getElementById("job-percent");
  var line = document.getElementById("job-message");
  function finished(state) { return state === "done" || state === "failed"; }
  if (finished(box.dataset.state)) { return; }
  function tick() {
    fetch("/api/jobs/" + encodeURIComponent(box.dataset.job), {
      credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (r) {
      if (!r.ok) { throw new Error("status " + r.status); }
      return r.json();
    }).then(function (job) {
      bar.value = job.progress;
      percent.textContent = (job.progress * 100).toFixed(0) + "%";
      line.textContent = job.state + ": " + job.message;
      if (finished(job.state)) { window.location.reload(); return; }
      setTimeout(tick, 1000);
    }).catch(function (err) {
      line.textContent = "status unavailable: " + err.message;
      setTimeout(tick, 5000);
    });
  }
  setTimeout(tick, 1000);
})();
