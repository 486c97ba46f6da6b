// Counts each notice's time left down, once a second, from what the server read on the chain's clock.
"use strict";

(function () {
  const messages = JSON.parse(document.getElementById("countdown-messages").textContent);
  const timers = Array.from(document.querySelectorAll("[data-seconds-left]"));
  const started = Date.now();
  function fill(template, values) {
    return Object.keys(values).reduce((text, key) => text.replace("{" + key + "}", values[key]), template);
  }
  function tick() {
    const elapsed = Math.floor((Date.now() - started) / 1000);
    for (const timer of timers) {
      const left = Number(timer.dataset.secondsLeft) - elapsed;
      if (left <= 0) {
        timer.textContent = messages.ended;
        continue;
      }
      const days = Math.floor(left / 86400);
      const hours = Math.floor((left % 86400) / 3600);
      const minutes = Math.floor((left % 3600) / 60);
      timer.textContent = days > 0
        ? fill(messages.dhm, { days, hours, minutes })
        : fill(messages.hms, { hours, minutes, seconds: left % 60 });
    }
  }
  if (timers.length) window.setInterval(tick, 1000);
})();
