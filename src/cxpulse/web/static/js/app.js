// cxpulse page glue: CSRF header on HTMX requests, charts drawn from embedded Vega-Lite specs.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrfToken();
  });

  // Number and date formats of the page's language, from <script type="application/json" id="vega-locale">.
  function vegaLocale() {
    var node = document.getElementById("vega-locale");
    if (!node) return {};
    try { return JSON.parse(node.textContent) || {}; } catch (e) { return {}; }
  }

  // A select with data-autosubmit sends its form when changed (no inline handlers: see the CSP).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("select[data-autosubmit]") && target.form) {
      target.form.submit();
    }
  });

  // A chart is <div class="chart" data-chart="ID"></div> + <script type="application/json" id="ID">spec</script>.
  function drawCharts(root) {
    if (typeof window.vegaEmbed !== "function") return;
    var nodes = (root || document).querySelectorAll("[data-chart]");
    nodes.forEach(function (node) {
      if (node.dataset.drawn === "1") return;
      var source = document.getElementById(node.dataset.chart);
      if (!source) return;
      var spec;
      try { spec = JSON.parse(source.textContent); } catch (e) { return; }
      node.dataset.drawn = "1";
      var locale = vegaLocale();
      window.vegaEmbed(node, spec, {
        actions: false,
        renderer: "svg",
        // ast: Vega interprets expressions instead of compiling them with Function(), so the
        // Content-Security-Policy needs no 'unsafe-eval'
        ast: true,
        formatLocale: locale.format || undefined,
        timeFormatLocale: locale.time || undefined
      }).then(function () {
        node.classList.add("chart-ready");
      }).catch(function (err) {
        node.textContent = String(err);
      });
    });
  }

  // Sections marked data-fold-phone are open disclosures; on a phone they start folded so a
  // long page (the account page) reads as a list of headings.
  function foldOnPhone() {
    if (!window.matchMedia || !window.matchMedia("(max-width: 720px)").matches) return;
    document.querySelectorAll("details[data-fold-phone]").forEach(function (node) {
      node.removeAttribute("open");
    });
  }

  // <button data-more="LIST_ID" data-label="Show {n} more"> reveals the next page of a list
  // whose hidden items the server rendered (<ol data-page-size="10">).
  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest && event.target.closest("[data-more]");
    if (!button) return;
    var list = document.getElementById(button.dataset.more);
    if (!list) return;
    var size = parseInt(list.dataset.pageSize || "10", 10);
    var hidden = list.querySelectorAll(":scope > li[hidden]");
    for (var i = 0; i < Math.min(size, hidden.length); i++) hidden[i].removeAttribute("hidden");
    var left = hidden.length - Math.min(size, hidden.length);
    var total = list.querySelectorAll(":scope > li").length;
    var shown = document.getElementById(list.id + "-shown");
    if (shown && shown.dataset.label) {
      shown.textContent = shown.dataset.label.replace("{shown}", String(total - left)).replace("{n}", String(total));
    }
    if (left <= 0) { button.remove(); return; }
    button.textContent = (button.dataset.label || "").replace("{n}", String(left));
  });

  foldOnPhone();
  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawCharts(event.target); });
  window.cxpulseDrawCharts = drawCharts;
})();
