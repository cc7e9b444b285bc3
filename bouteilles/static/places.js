// The public "Où rapporter ?" page (/ou-rapporter): an addition to a list that works
// without it. "Autour de moi" sorts the list by distance from the phone's position
// (asked only when the button is pressed; the position never leaves the phone), and
// a Leaflet map shows the same places. The points are the list's items: their
// data-lat/data-lon, their name, address, hours and open-now badge.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("places-config").textContent);
  var list = document.getElementById("points");
  var status = document.getElementById("near-status");
  var EARTH_RADIUS_KM = 6371.0088;

  function items() {
    return Array.prototype.slice.call(list.children);
  }

  function position(item) {
    if (!item.hasAttribute("data-lat")) return null;
    return [parseFloat(item.getAttribute("data-lat")), parseFloat(item.getAttribute("data-lon"))];
  }

  // What an element shows (the words only a screen reader hears left out).
  function text(item, selector) {
    var element = item.querySelector(selector);
    if (!element) return "";
    var copy = element.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll(".sr-only"), function (hidden) {
      hidden.remove();
    });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  var map = null;  // the Leaflet map, once drawn

  // Great-circle distance in km (haversine), as the server computes it
  // (services/geography/distance.py).
  function distanceKm(a, b) {
    var rad = Math.PI / 180;
    var dLat = (b[0] - a[0]) * rad, dLon = (b[1] - a[1]) * rad;
    var h = Math.pow(Math.sin(dLat / 2), 2) +
      Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.pow(Math.sin(dLon / 2), 2);
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  var kmFormat = new Intl.NumberFormat(config.locale, {
    style: "unit", unit: "kilometer", unitDisplay: "short",
    minimumFractionDigits: 1, maximumFractionDigits: 1
  });

  // Nearest first; places without a position keep their order, at the end.
  function sortFrom(origin) {
    var ranked = items().map(function (item, index) {
      var at = position(item);
      return { item: item, index: index, km: at ? distanceKm(origin, at) : Infinity };
    });
    ranked.sort(function (a, b) { return a.km - b.km || a.index - b.index; });
    ranked.forEach(function (entry) {
      var line = entry.item.querySelector(".distance");
      if (line && entry.km !== Infinity) {
        line.querySelector(".km").textContent = kmFormat.format(entry.km);
        line.hidden = false;
      }
      list.appendChild(entry.item);
    });
    var order = document.getElementById("points-order");
    if (order) order.textContent = config.nearest;
    if (map) showAround(origin, ranked);
  }

  // The map follows the sort: the visitor's position and the three nearest places.
  function showAround(origin, ranked) {
    var view = [origin];
    ranked.slice(0, 3).forEach(function (entry) {
      if (entry.km !== Infinity) view.push(position(entry.item));
    });
    L.circleMarker(origin, { radius: 8, weight: 3, color: "#1b1f23", fillColor: "#f0a202",
                             fillOpacity: 1, interactive: false }).addTo(map);
    map.fitBounds(view, { padding: [32, 32], maxZoom: 16 });
  }

  function askPosition(button) {
    button.disabled = true;
    status.textContent = config.asking;
    navigator.geolocation.getCurrentPosition(function (found) {
      sortFrom([found.coords.latitude, found.coords.longitude]);
      status.textContent = config.sorted;
      button.disabled = false;
    }, function (error) {
      status.textContent = error.code === 1 ? config.denied : config.failed;
      button.disabled = false;
    }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 });
  }

  var near = document.getElementById("near");
  if (near && navigator.geolocation) {
    var button = document.getElementById("near-me");
    button.addEventListener("click", function () { askPosition(button); });
    near.hidden = false;
  }

  function popup(item) {
    var box = document.createElement("div");
    box.className = "map-popup";
    var lines = [
      ["strong", text(item, ".place-name .name")],
      ["span", text(item, ".open-badge")],
      ["span", text(item, ".place-address")],
      ["span", text(item, ".place-hours")]
    ];
    lines.forEach(function (line) {
      if (!line[1]) return;
      var element = document.createElement(line[0]);
      element.textContent = line[1];
      box.appendChild(element);
    });
    var link = document.createElement("a");
    link.href = "#" + item.id;
    link.textContent = config.toList;
    box.appendChild(link);
    return box;
  }

  // The map: drawn once the page has loaded, so nothing waits for tiles; a tile
  // server that does not answer leaves markers on a blank background and a note.
  function drawMap() {
    var frame = document.getElementById("map-frame");
    if (!config.tiles || !frame || typeof window.L === "undefined") return;
    frame.hidden = false;
    map = L.map("map", {
      zoomControl: false, scrollWheelZoom: false, tap: false
    });
    L.control.zoom({ zoomInTitle: config.zoomIn, zoomOutTitle: config.zoomOut }).addTo(map);
    map.attributionControl.setPrefix(false);
    var tiles = L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 19 });
    var note = document.getElementById("map-tiles-failed");
    tiles.on("tileerror", function () { if (note) note.hidden = false; });
    tiles.addTo(map);
    var bounds = [];
    items().forEach(function (item) {
      var at = position(item);
      if (!at) return;
      var name = text(item, ".place-name .name");
      L.marker(at, { title: name, alt: name }).addTo(map).bindPopup(popup(item), {
        maxWidth: 240, autoPanPaddingTopLeft: [60, 12]  // clear of the zoom buttons
      });
      bounds.push(at);
    });
    if (bounds.length === 1) map.setView(bounds[0], 15);
    else map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
  }

  if (document.readyState === "complete") drawMap();
  else window.addEventListener("load", drawMap);
})();
