/* The map on an organisation's form: touch it (or drag the point) to fill the
   latitude and longitude fields; typing them moves the point. Without this script,
   or when the tiles do not load, the fields alone do the work. */
(function () {
  "use strict";
  var box = document.getElementById("map-picker");
  var lat = document.getElementById("latitude");
  var lon = document.getElementById("longitude");
  if (!box || !lat || !lon || typeof L === "undefined") return;
  var editable = box.dataset.editable === "true";
  var FRANCE = [46.6, 2.4];

  function number(input) {
    var value = parseFloat((input.value || "").replace(",", ".").replace(/\s/g, ""));
    return isFinite(value) ? value : null;
  }
  function typed() {
    var a = number(lat), b = number(lon);
    return a !== null && b !== null && Math.abs(a) <= 90 && Math.abs(b) <= 180 ? [a, b] : null;
  }

  box.hidden = false;
  var hint = document.getElementById("map-hint");
  if (hint) hint.hidden = false;
  var here = typed();
  var map = L.map(box, { scrollWheelZoom: false }).setView(here || FRANCE, here ? 15 : 5);
  L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution, maxZoom: 19 }).addTo(map);
  var marker = null;

  function fill(latlng) {
    var point = latlng.wrap();
    lat.value = point.lat.toFixed(6);
    lon.value = point.lng.toFixed(6);
  }
  function put(latlng) {
    if (marker) { marker.setLatLng(latlng); return; }
    marker = L.marker(latlng, { draggable: editable, title: box.getAttribute("aria-label") });
    marker.addTo(map);
    marker.on("dragend", function () { fill(marker.getLatLng()); });
  }
  if (here) put(here);
  if (editable) {
    map.on("click", function (event) { put(event.latlng); fill(event.latlng); });
  }
  [lat, lon].forEach(function (input) {
    input.addEventListener("change", function () {
      var point = typed();
      if (point) { put(point); map.panTo(point); }
    });
  });
})();
