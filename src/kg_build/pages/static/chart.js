// Charts of a page: each .kg-chart-data block (JSON, written by the server) is drawn with
// Observable Plot into the figure it names: bars for `bar`, dots on a time axis for
// `timeline`, one mark per row. The table beside each chart says the same without JavaScript.
(function () {
  "use strict";
  if (typeof Plot === "undefined") {
    return;
  }

  // "2022" is its first day; "2022-02-17" that day; anything else is left out of the chart
  function parseWhen(when) {
    var year = /^(\d{4})$/.exec(when);
    if (year) {
      return new Date(Date.UTC(Number(year[1]), 0, 1));
    }
    var day = /^(\d{4})-(\d{2})-(\d{2})/.exec(when);
    return day ? new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]))) : null;
  }

  function bars(spec, width) {
    return Plot.plot({
      width: width,
      height: 26 * spec.rows.length + 50,
      marginLeft: Math.min(360, width / 2),
      x: { grid: true, label: spec.value, tickFormat: "~s" },
      y: { label: null, domain: spec.rows.map(function (r) { return r.label; }) },
      marks: [
        Plot.barX(spec.rows, { x: "value", y: "label", fill: "#1f4e79" }),
        Plot.ruleX([0]),
      ],
    });
  }

  function timeline(spec, width) {
    var rows = spec.rows
      .map(function (r, i) { return { label: r.label, date: parseWhen(r.when), at: i }; })
      .filter(function (r) { return r.date !== null; });
    return Plot.plot({
      width: width,
      height: 22 * rows.length + 50,
      marginRight: Math.min(420, width / 2),
      x: { type: "utc", label: null, grid: true },
      y: { axis: null, domain: rows.map(function (r) { return r.at; }) },
      marks: [
        Plot.dot(rows, { x: "date", y: "at", r: 5, fill: "#a33b00" }),
        Plot.text(rows, { x: "date", y: "at", text: "label", dx: 9, textAnchor: "start" }),
      ],
    });
  }

  document.querySelectorAll("script.kg-chart-data").forEach(function (block) {
    var box = document.getElementById(block.getAttribute("data-for"));
    if (!box) {
      return;
    }
    var spec = JSON.parse(block.textContent);
    var width = Math.max(box.clientWidth || 0, 480);
    var chart = spec.kind === "bar" ? bars(spec, width) : timeline(spec, width);
    // Plot styles its chart with a <style> element, which the pages' security policy does
    // not admit; the page's own stylesheet has the rules instead.
    chart.querySelectorAll("style").forEach(function (s) { s.remove(); });
    // Plot names its groups of marks with aria-label, which a <g> may only carry with a role
    chart.querySelectorAll("g[aria-label]").forEach(function (g) { g.setAttribute("role", "group"); });
    box.appendChild(chart);
    box.setAttribute("data-marks", String(spec.rows.length));
  });
})();
