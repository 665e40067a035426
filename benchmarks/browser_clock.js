// In-page clock for `python -m benchmarks browser`: the time from the user's last input (the
// trusted pointerdown or keydown event, also inside the map's frame) to the first frame painted
// with the expected content. Nothing of Playwright's own work (finding the element, polling)
// lies between the two.
(function () {
  var top = window.top;
  function note(event) { if (event.isTrusted && top.__clock) { top.__clock.input = performance.timeOrigin + event.timeStamp; } }
  document.addEventListener("pointerdown", note, true);
  document.addEventListener("keydown", note, true);
  if (window !== top) { return; }
  window.__clock = {
    input: null,
    done: null,
    // start watching: `test` (a JavaScript expression) is evaluated once per frame; the moment is
    // taken after the frame in which it first holds has been painted
    arm: function (test) {
      var clock = window.__clock;
      clock.input = null;
      clock.done = null;
      clock.state = {};
      var check = new Function("state", "return (" + test + ");");
      function frame() {
        if (clock.input !== null && check(clock.state)) {
          requestAnimationFrame(function () { clock.done = performance.timeOrigin + performance.now(); });
          return;
        }
        requestAnimationFrame(frame);
      }
      requestAnimationFrame(frame);
    }
  };
})();
