// In-page clock for `python -m benchmarks browser`: the time from the user's last input (the
// trusted pointerdown or keydown event, also inside the map's frame) to the first frame painted
// with the expected content. Nothing of Playwright's own work (finding the element, polling)
// lies between the two.
(function () {
  if (window !== window.top) { return; }
  function note(event) {
    if (event.isTrusted) { window.__clock.input = event.view.performance.timeOrigin + event.timeStamp; }
  }
  function listen(doc) {
    if (doc && !doc.__clockListens) {
      doc.__clockListens = true;
      doc.addEventListener("pointerdown", note, true);
      doc.addEventListener("keydown", note, true);
    }
  }
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
      listen(document);
      document.querySelectorAll("iframe").forEach(function (frame) {
        try { listen(frame.contentDocument); } catch (err) { /* another origin: no input from there */ }
      });
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
