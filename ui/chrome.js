// Danish page chrome for Streamlit: lang="da" on the page and on same-origin frames (the map),
// Streamlit's own English texts in Danish, material-icon ligatures hidden from screen readers.
(function () {
  window.__klyngestedLang = "__LANG__";
  if (window.__klyngestedRun) { window.__klyngestedRun(); return; }
  var TEXTS = [
    [/^Skip to main content$/, "Gå til indholdet"],
    [/^Drag and drop (a file|files|directories) here$/, "Træk filer hertil"],
    [/^Upload( directories)?$/, "Vælg fil"],
    [/^Limit (\d+) ?MB per file(?: • (.*))?$/, function (m, mb, types) { return "Højst " + mb + " MB pr. fil" + (types ? " · " + types : ""); }],
    [/^Press Enter to apply$/, "Tryk Enter for at anvende"],
    [/^Press Enter to submit form$/, "Tryk Enter for at sende"],
    [/^Press (⌘|Ctrl)\+Enter to (apply|submit form)$/, "Tryk $1+Enter for at anvende"],
    [/^Choose an option$/, "Vælg"],
    [/^Choose options$/, "Vælg"],
    [/^No results$/, "Ingen resultater"],
    [/^Clear all$/, "Ryd alle"],
    [/^Running\.\.\.$/, "Arbejder …"],
    [/^Fullscreen$/, "Fuld skærm"],
    [/^Close fullscreen$/, "Luk fuld skærm"],
    [/^Close$/, "Luk"],
    [/^Collapse sidebar$/, "Skjul sidepanel"],
    [/^Expand sidebar$/, "Vis sidepanel"],
    [/^Show password text$/, "Vis adgangskode"],
    [/^Delete$/, "Slet"],
    [/^Add row$/, "Tilføj række"],
    [/^Delete row\(s\)$/, "Slet række(r)"],
    [/^Download as CSV$/, "Hent som CSV"],
    [/^Search$/, "Søg"],
    [/^Remove file$/, "Fjern fil"],
    [/^Zoom in$/, "Zoom ind"],
    [/^Zoom out$/, "Zoom ud"],
    [/^Layers$/, "Lag"]
  ];
  var ATTRS = ["aria-label", "title", "placeholder"];

  // A widget value Streamlit formats itself (slider thumbs: "20.0 %") gets the decimal comma.
  var DECIMAL = /^(-?\d+)\.(\d+)((?:\s|\u00a0)?%)?$/;

  function danish(text) {
    if (window.__klyngestedLang !== "da") { return null; }
    var trimmed = text.trim();
    if (DECIMAL.test(trimmed)) { return text.replace(trimmed, trimmed.replace(DECIMAL, "$1,$2$3")); }
    for (var i = 0; i < TEXTS.length; i++) {
      if (TEXTS[i][0].test(trimmed)) { return text.replace(trimmed, trimmed.replace(TEXTS[i][0], TEXTS[i][1])); }
    }
    return null;
  }

  function fix(root) {
    var walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var node;
    while ((node = walker.nextNode())) {
      var out = node.nodeValue && node.nodeValue.trim() ? danish(node.nodeValue) : null;
      if (out !== null && out !== node.nodeValue) { node.nodeValue = out; }
    }
    root.querySelectorAll("[aria-label], [title], [placeholder], [aria-valuetext]").forEach(function (el) {
      ATTRS.concat(["aria-valuetext"]).forEach(function (name) {
        var value = el.getAttribute(name);
        var out = value ? danish(value) : null;
        if (out !== null && out !== value) { el.setAttribute(name, out); }
      });
    });
    root.querySelectorAll('[data-testid="stIconMaterial"], [data-testid="stExpanderIcon"]').forEach(function (el) {
      el.setAttribute("aria-hidden", "true");
    });
  }

  function frame(iframe) {
    function setLang() {
      try {
        var doc = iframe.contentDocument;
        if (doc && doc.documentElement && doc.documentElement.lang !== window.__klyngestedLang) {
          doc.documentElement.lang = window.__klyngestedLang;
          fix(doc.body || doc.documentElement);
        }
      } catch (err) { /* a cross-origin frame keeps its own language */ }
    }
    setLang();
    if (!iframe.__klyngestedDa) {
      iframe.__klyngestedDa = true;
      iframe.addEventListener("load", setLang);
    }
  }

  window.__klyngestedRun = function () { run(); };
  var pending = false;
  function run() {
    pending = false;
    var lang = window.__klyngestedLang;
    if (document.documentElement.lang !== lang) { document.documentElement.lang = lang; }
    fix(document.body);
    document.querySelectorAll("iframe").forEach(frame);
  }
  new MutationObserver(function () {
    if (!pending) { pending = true; window.requestAnimationFrame(run); }
  }).observe(document.documentElement, {subtree: true, childList: true, characterData: true, attributes: true,
                                        attributeFilter: ["lang", "aria-label", "title", "placeholder"]});
  run();
})();
