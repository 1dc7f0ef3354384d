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

  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawCharts(event.target); });
  window.cxpulseDrawCharts = drawCharts;
})();
