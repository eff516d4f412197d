// Draws every chart of a dashboard page from the spec the server rendered beside its table.
(function () {
  "use strict";
  var charts = [];

  function optionFor(spec) {
    var plotted = spec.series.filter(function (s) { return !s.table_only; });
    if (spec.kind === "pie") {
      var s = plotted[0] || { name: "", data: [] };
      return {
        tooltip: { trigger: "item" },
        legend: { bottom: 0, type: "scroll" },
        series: [{
          name: s.name, type: "pie", radius: ["35%", "65%"],
          label: { formatter: "{b}: {c}（{d}%）" },
          data: spec.categories.map(function (c, i) { return { name: c, value: s.data[i] }; })
        }]
      };
    }
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 50, right: 20, top: 40, bottom: 60, containLabel: true },
      xAxis: { type: "category", data: spec.categories, axisLabel: { interval: 0, rotate: spec.categories.length > 8 ? 40 : 0 } },
      yAxis: { type: "value" },
      series: plotted.map(function (s) {
        return {
          name: s.name, type: spec.kind === "line" ? "line" : "bar", data: s.data,
          stack: spec.stacked ? "total" : undefined, connectNulls: true,
          emphasis: { focus: "series" }
        };
      })
    };
  }

  function draw() {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll(".report-chart").forEach(function (el) {
      var specEl = document.getElementById(el.dataset.spec);
      if (!specEl) { return; }
      var spec = JSON.parse(specEl.textContent);
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(optionFor(spec));
      el.dataset.drawn = "1";
      charts.push(chart);
    });
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  // Selecting a filter reloads at once; the button stays for keyboard users.
  document.querySelectorAll("[data-testid=report-filters] select").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  });
  draw();
})();
