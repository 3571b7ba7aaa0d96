// The map of a page: a circle for each located thing listed in the page's #kg-map-data block
// (JSON, written by the server). Circles and place names are drawn by the browser, not taken
// from the tiles, so the map stays readable when the tiles cannot load (or none are set).
(function () {
  "use strict";
  var box = document.getElementById("kg-map");
  var block = document.getElementById("kg-map-data");
  if (!box || !block || typeof L === "undefined") {
    return;
  }
  var data = JSON.parse(block.textContent);
  var map = L.map(box, { scrollWheelZoom: false });
  if (data.tiles) {
    L.tileLayer(data.tiles, { maxZoom: 18, attribution: data.attribution || "" }).addTo(map);
  }
  var group = L.featureGroup();
  data.markers.forEach(function (m) {
    var circle = L.circleMarker([m.lat, m.lon], {
      radius: m.kind === "place" ? 5 : 7,
      weight: 2,
      color: m.kind === "place" ? "#1f4e79" : "#a33b00",
      fillOpacity: 0.6,
      className: "kg-marker kg-" + m.kind,
    });
    var content = document.createElement(m.href ? "a" : "span");
    if (m.href && (m.href.charAt(0) === "/" || /^https?:/i.test(m.href))) {
      content.href = m.href;
    }
    content.textContent = m.name;
    circle.bindPopup(content);
    if (data.labels === "all" || (m.kind === "place" && data.labels)) {
      circle.bindTooltip(m.name, { permanent: true, direction: "right", className: "kg-label" });
    }
    circle.addTo(group);
  });
  group.addTo(map);
  if (data.markers.length) {
    map.fitBounds(group.getBounds(), { padding: [24, 24], maxZoom: 9 });
  } else {
    map.setView([25.8, 114.9], 6);
  }
  box.setAttribute("data-markers", String(data.markers.length));
})();
