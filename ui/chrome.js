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

  // A widget value Streamlit formats itself (slider thumbs: "20.0 %") gets the decimal comma; exactly three
  // digits after the point are a Danish thousands group ("2.227" from geo.format) and stay as they are.
  var DECIMAL = /^(-?\d+)\.(\d{1,2}|\d{4,})((?:\s|\u00a0)?%)?$/;

  function danish(text) {
    if (window.__klyngestedLang !== "da") { return null; }
    var trimmed = text.trim();
    if (DECIMAL.test(trimmed)) { return text.replace(trimmed, trimmed.replace(DECIMAL, "$1,$2$3")); }
    for (var i = 0; i < TEXTS.length; i++) {
      if (TEXTS[i][0].test(trimmed)) { return text.replace(trimmed, trimmed.replace(TEXTS[i][0], TEXTS[i][1])); }
    }
    return null;
  }

  function fixText(node) {
    var out = node.nodeValue && node.nodeValue.trim() ? danish(node.nodeValue) : null;
    if (out !== null && out !== node.nodeValue) { node.nodeValue = out; }
  }

  function fixAttributes(el) {
    ATTRS.concat(["aria-valuetext"]).forEach(function (name) {
      var value = el.getAttribute(name);
      var out = value ? danish(value) : null;
      if (out !== null && out !== value) { el.setAttribute(name, out); }
    });
  }

  // `fn` on `root` and on every element under it that matches `selector`
  function each(root, selector, fn) {
    if (root.matches && root.matches(selector)) { fn(root); }
    root.querySelectorAll(selector).forEach(fn);
  }

  function fix(root) {
    var walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var node;
    while ((node = walker.nextNode())) { fixText(node); }
    each(root, "[aria-label], [title], [placeholder], [aria-valuetext]", fixAttributes);
    each(root, '[data-testid="stIconMaterial"], [data-testid="stExpanderIcon"]', function (el) {
      el.setAttribute("aria-hidden", "true");
    });
    each(root, "iframe", frame);
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

  // Only what changed is looked at again (the nodes added, the texts and attributes changed):
  // walking the whole page on every rerun cost the browser tens of milliseconds per frame.
  var changed = [];
  var pending = false;
  function run() {
    pending = false;
    var lang = window.__klyngestedLang;
    if (document.documentElement.lang !== lang) { document.documentElement.lang = lang; }
    var records = changed;
    changed = [];
    records.forEach(function (record) {
      if (record.type === "characterData") { fixText(record.target); return; }
      if (record.type === "attributes") {
        if (record.target.nodeType === 1) { fixAttributes(record.target); }
        return;
      }
      record.addedNodes.forEach(function (node) {
        if (!node.isConnected) { return; }
        if (node.nodeType === 3) { fixText(node); } else if (node.nodeType === 1) { fix(node); }
      });
    });
  }
  var fixedLang = window.__klyngestedLang;
  window.__klyngestedRun = function () {  // the script ran again: translate the whole page only for a new language
    if (fixedLang !== window.__klyngestedLang) {
      fixedLang = window.__klyngestedLang;
      changed.push({type: "childList", addedNodes: [document.body]});
    }
    run();
  };
  new MutationObserver(function (records) {
    changed.push.apply(changed, records);
    if (!pending) { pending = true; window.requestAnimationFrame(run); }
  }).observe(document.documentElement, {subtree: true, childList: true, characterData: true, attributes: true,
                                        attributeFilter: ["lang", "aria-label", "title", "placeholder", "aria-valuetext"]});
  fix(document.body);
  run();
})();
