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
      window.vegaEmbed(node, spec, {
        actions: false,
        renderer: "svg",
        formatLocale: window.CXPULSE_FORMAT_LOCALE || undefined,
        timeFormatLocale: window.CXPULSE_TIME_LOCALE || undefined
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
