// The compile's progress, polled once a second; the page reloads when the run has ended.
(function () {
  var box = document.getElementById("progress");
  if (!box) { return; }
  var url = box.getAttribute("data-url");
  function poll() {
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (p) {
        box.querySelector("progress").value = p.percent;
        box.querySelector(".stage").textContent = p.stage + (p.total ? "（" + p.done + "/" + p.total + "）" : "");
        if (p.state === "进行中") { setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
