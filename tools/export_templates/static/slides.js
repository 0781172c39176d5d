// Lecture decks (tools/export_site.py): every slide fits the screen. Code and printed output wider than the slide
// shrink (down to --course-min-code, then wrap); a slide still taller than the deck is scaled down as a whole.
// The layout (tools/lecture.py) splits sections so that this is rarely needed; data-scaled records where it was.
(function () {
  "use strict";
  var minCode = parseFloat(getComputedStyle(document.documentElement).getPropertyValue("--course-min-code")) || 14;

  // Wrap each slide's content, so that it can be measured and scaled without touching reveal.js' own section styles.
  document.querySelectorAll(".reveal .slides section").forEach(function (section) {
    if (section.querySelector("section")) return;  // a stack of sub-slides, not a slide
    var body = document.createElement("div");
    body.className = "slide-body";
    while (section.firstChild) body.appendChild(section.firstChild);
    section.appendChild(body);
  });

  function fitWidth(pre) {
    var px = parseFloat(getComputedStyle(pre).fontSize);
    while (pre.scrollWidth > pre.clientWidth + 1 && px > minCode) {
      px -= 1;
      pre.style.fontSize = px + "px";
    }
    if (pre.scrollWidth > pre.clientWidth + 1) pre.style.whiteSpace = "pre-wrap";
  }

  function fit(section) {
    if (!section || section.dataset.fitted) return;
    var body = section.querySelector(".slide-body");
    if (!body) return;
    body.querySelectorAll("pre").forEach(fitWidth);
    var room = Reveal.getConfig().height, height = body.scrollHeight;
    if (height > room) {
      var scale = room / height;
      body.style.transformOrigin = "top left";
      body.style.transform = "scale(" + scale + ")";
      body.style.width = (100 / scale) + "%";
      section.dataset.scaled = scale.toFixed(2);
    }
    section.dataset.fitted = "true";
  }

  // Measure only once the math is typeset and the figures are decoded, and only visible slides (hidden ones have no
  // size): the current slide now, every other one when it is shown.
  var ready = new Promise(function (resolve) {
    if (document.readyState === "complete") resolve(); else window.addEventListener("load", resolve);
  }).then(function () {
    return window.MathJax && MathJax.startup ? MathJax.startup.promise : null;
  });
  function fitCurrent() {
    ready.then(function () {
      fit(Reveal.getCurrentSlide());
      document.documentElement.dataset.deckReady = "true";
    });
  }
  Reveal.on("ready", fitCurrent);
  Reveal.on("slidechanged", fitCurrent);
}());
