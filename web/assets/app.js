// renewflow's web pages: the little script they use, served from this site only (the
// Content-Security-Policy allows no inline script). The watch list follows the service's event
// stream: on a change it fetches the same page again and swaps the list (and its date) in,
// without a reload.
"use strict";
(function () {
  const list = document.getElementById("watch-list");
  if (!list || !window.EventSource) return;
  const status = list.querySelector(".live-status");
  let pending = null;
  const refresh = () => {
    pending = null;
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then((answer) => (answer.ok ? answer.text() : Promise.reject(answer.status)))
      .then((text) => {
        const fresh = new DOMParser().parseFromString(text, "text/html");
        // Every part marked live is swapped whole; the filters keep what was typed.
        for (const current of document.querySelectorAll("[data-live-part]")) {
          const part = fresh.getElementById(current.id);
          if (part) current.replaceChildren(...part.childNodes);
        }
        const dot = document.querySelector("#watch-list .live-status");
        if (dot) dot.classList.add("connected");
        // A list kept from before the last change, while the service folds it again: ask again.
        const list = fresh.getElementById("watch-list");
        if (list && list.dataset.fresh === "false") changed(1000);
      })
      .catch(() => {});
  };
  const changed = (delay) => {
    if (pending === null) pending = window.setTimeout(refresh, typeof delay === "number" ? delay : 500);
  };
  if (list.dataset.fresh === "false") changed(1000);
  const stream = new EventSource(list.dataset.live);
  stream.addEventListener("open", () => {
    const dot = document.querySelector("#watch-list .live-status");
    if (dot) dot.classList.add("connected");
  });
  stream.addEventListener("case", changed);
  stream.addEventListener("warning", changed);
  stream.addEventListener("tick", changed);
  stream.addEventListener("lagged", changed);
  stream.addEventListener("error", () => {
    const dot = document.querySelector("#watch-list .live-status");
    if (dot) dot.classList.remove("connected");
  });
})();
