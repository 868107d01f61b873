/* cctvscope map and page behaviour. No external requests: borough outlines, cameras
   (clustered), coverage and gap tiles on the app's own street map (basemap.js), a scale bar,
   and a legend of what is drawn. */
(function () {
  "use strict";

  var OWNER_COLOURS = { council: "#1f77b4", tfl: "#d62728", police: "#2ca02c", private: "#9467bd" };
  var CLUSTER_COLOUR = "#1d2b3a";

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error(url + ": " + r.status); }
        return r.json();
      });
  }

  function text(tag, value) {
    var el = document.createElement(tag);
    el.textContent = value === null || value === undefined ? "" : String(value);
    return el;
  }

  /* Tooltip content from data, always as a text node: Leaflet sets a string tooltip as
     innerHTML, so a camera id like "<img onerror=...>" would become markup. Built when the
     tooltip opens (a function), not once per marker. */
  function tip(make) {
    return function () { return text("span", make()); };
  }

  function rgba(hex, alpha) {
    var n = parseInt(hex.slice(1), 16);
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha + ")";
  }

  function legend(map, entries) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var div = L.DomUtil.create("details", "legend");
      div.open = map.getSize().y >= 480;  // a small map starts with the legend folded
      div.appendChild(text("summary", "Legend"));
      L.DomEvent.disableClickPropagation(div);
      entries.forEach(function (e) {
        var row = document.createElement("div");
        var swatch = document.createElement("span");
        var look = e[2] || {};
        swatch.className = "swatch";
        swatch.style.background = look.fillOpacity === undefined ? e[1] : rgba(e[1], look.fillOpacity);
        if (look.border) { swatch.style.border = "1px solid " + look.border; }
        if (look.round) { swatch.style.borderRadius = "50%"; }
        row.appendChild(swatch);
        row.appendChild(text("span", e[0]));
        div.appendChild(row);
      });
      return div;
    };
    control.addTo(map);
  }

  function boroughLayer(map, el, overlays) {
    var focus = el.dataset.borough || "";
    return getJSON("/api/layers/boroughs").then(function (data) {
      var layer = L.geoJSON(data, {
        style: function (f) {
          var mine = f.properties.gss_code === focus;
          // A faint fill: the street map shows through, and the area stays clickable.
          return { color: mine ? "#000" : "#555", weight: mine ? 2.5 : 1, fillColor: "#f2efe6", fillOpacity: 0.05 };
        },
        onEachFeature: function (f, l) {
          l.bindTooltip(tip(function () { return f.properties.name + " — " + f.properties.cameras + " cameras"; }));
          l.on("add", function () {
            var node = l.getElement && l.getElement();
            if (node) { node.setAttribute("data-gss", f.properties.gss_code); }
          });
          l.on("click", function (ev) {
            if (el.dataset.layers.indexOf("search") >= 0) { return; }
            L.DomEvent.stopPropagation(ev);
            window.location.href = "/boroughs/" + encodeURIComponent(f.properties.gss_code);
          });
        }
      }).addTo(map);
      overlays["Boroughs"] = layer;
      var bounds = layer.getBounds();
      if (focus) {
        layer.eachLayer(function (l) { if (l.feature.properties.gss_code === focus) { bounds = l.getBounds(); } });
      }
      map.fitBounds(bounds);
      return layer;
    });
  }

  function cameraLayer(map, el, overlays) {
    var url = "/api/layers/cameras" + (el.dataset.borough ? "?borough=" + encodeURIComponent(el.dataset.borough) : "");
    return getJSON(url).then(function (data) {
      var cluster = L.markerClusterGroup({ chunkedLoading: true, disableClusteringAtZoom: 17, iconCreateFunction: clusterIcon });
      var markers = data.features.map(function (f) {
        var c = f.geometry.coordinates;
        var m = L.circleMarker([c[1], c[0]], { radius: 4, weight: 1, color: OWNER_COLOURS[f.properties.owner_type] || "#333", fillOpacity: 0.8 });
        m.bindTooltip(tip(function () { return f.properties.id + " (" + f.properties.owner_type + ")"; }));
        m.on("click", function () { window.location.href = "/cameras/" + encodeURIComponent(f.properties.id); });
        return m;
      });
      cluster.addLayers(markers);
      cluster.addTo(map);
      overlays["Cameras"] = cluster;
    });
  }

  /* Clusters in one colour of their own (the legend's), the count as text. */
  function clusterIcon(group) {
    var span = document.createElement("span");
    span.textContent = String(group.getChildCount());
    return L.divIcon({ html: span, className: "marker-cluster camera-cluster", iconSize: L.point(32, 32) });
  }

  function coverageLayers(map, el, overlays) {
    /* Tiles at every zoom (not one city-wide GeoJSON); the legend shows them once drawn. */
    if (el.dataset.coverage !== "1" || !window.cctvscopeBasemap) { return Promise.resolve([]); }
    var made = window.cctvscopeBasemap.coverageTiles(map, "recognise");
    // Only the roles that see coverage get its tiles: ask once (the world tile) before drawing.
    return getJSON("/tiles/coverage/0/0/0.geojson?level=recognise").then(function () {
      overlays["Coverage (Recognise) and gaps"] = made.layer.addTo(map);
      return made.legend;
    }).catch(function () { return []; });
  }

  function renderSearch(map, result, group) {
    group.clearLayers();
    L.circleMarker([result.lat_deg, result.lon_deg], { radius: 7, color: "#000", weight: 2 }).addTo(group);
    var box = document.getElementById("search-result");
    box.replaceChildren();
    box.appendChild(text("p", result.cameras.length + " cameras could have seen lat " + result.lat_deg + ", lon " + result.lon_deg));
    var table = document.createElement("table");
    table.className = "data hits";
    var head = document.createElement("tr");
    ["camera", "detail level", "distance (m)", "owner", "footage holder", "area", "retention (days)"].forEach(function (h) { head.appendChild(text("th", h)); });
    table.appendChild(head);
    result.cameras.forEach(function (c) {
      var row = document.createElement("tr");
      var first = document.createElement("td");
      if (c.url) {
        var link = document.createElement("a");
        link.href = c.url;
        link.textContent = c.camera_id;  // text, never HTML
        first.appendChild(link);
      } else {
        first.textContent = c.camera_id;
      }
      row.appendChild(first);
      [c.level, Math.round(c.distance_m), c.owner_type, c.operator, c.borough || c.borough_code || "",
       c.retention_days === null ? "–" : Math.round(c.retention_days)].forEach(function (v) { row.appendChild(text("td", v)); });
      table.appendChild(row);
      L.circleMarker([c.lat_deg, c.lon_deg], { radius: 5, color: OWNER_COLOURS[c.owner_type] || "#333" }).bindTooltip(tip(function () { return c.camera_id; })).addTo(group);
    });
    box.appendChild(table);
  }

  function searchOnClick(map) {
    var group = L.layerGroup().addTo(map);
    map.on("click", function (ev) {
      var url = "/api/search?lon=" + ev.latlng.lng.toFixed(6) + "&lat=" + ev.latlng.lat.toFixed(6);
      getJSON(url).then(function (r) { renderSearch(map, r, group); })
        .catch(function (err) { document.getElementById("search-result").replaceChildren(text("p", "search failed: " + err.message)); });
    });
  }

  var LEVEL_COLOURS = { detect: "#c6dbef", observe: "#6baed6", recognise: "#2171b5", identify: "#08306b" };

  function drawWedges(data, group) {
    group.clearLayers();
    data.features.forEach(function (f) {
      L.geoJSON(f, { style: { color: LEVEL_COLOURS[f.properties.level] || "#333", weight: 1, fillOpacity: 0.25 } })
        .bindTooltip(tip(function () { return f.properties.camera_id + ": " + f.properties.level + " to " + f.properties.reach_m + " m"; }))
        .addTo(group);
    });
  }

  function cameraWedges(map, el) {
    var group = L.layerGroup().addTo(map);
    return getJSON("/api/cameras/" + encodeURIComponent(el.dataset.camera) + "/wedges")
      .then(function (data) { drawWedges(data, group); el.setAttribute("data-wedges", String(data.features.length)); });
  }

  function wedgesInView(map, overlays) {
    /* Street scale only: a city of wedges would be unreadable and slow. */
    var group = L.layerGroup().addTo(map);
    overlays["view wedges (zoom in)"] = group;
    function refresh() {
      if (map.getZoom() < 16) { group.clearLayers(); return; }
      var b = map.getBounds();
      var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); }).join(",");
      getJSON("/api/layers/wedges?bbox=" + bbox).then(function (data) { drawWedges(data, group); }).catch(function () { group.clearLayers(); });
    }
    map.on("moveend", refresh);
  }

  function gbp(v) { return v === null || v === undefined ? "—" : "£" + Math.round(v).toLocaleString("en-GB"); }

  function pollJob(map, status) {
    var id = status.dataset.job;
    if (!id) { return; }
    var rooms = L.layerGroup().addTo(map);
    function tick() {
      getJSON("/api/options/control-rooms/" + encodeURIComponent(id)).then(function (job) {
        status.textContent = job.state + ": " + job.message;
        var listed = document.getElementById("job-state-" + id);  // the run list follows too
        if (listed) { listed.textContent = job.state + " — " + job.message; }
        if (job.state === "queued" || job.state === "running") { setTimeout(tick, 1000); return; }
        if (job.state !== "done") { return; }
        var box = document.getElementById("job-result");
        var table = document.createElement("table");
        table.className = "data options";
        var head = document.createElement("tr");
        ["rooms", "status", "annual cost", "one-off", "NPV", "open rooms"].forEach(function (h) { head.appendChild(text("th", h)); });
        table.appendChild(head);
        job.options.forEach(function (o) {
          var row = document.createElement("tr");
          [o.rooms, o.status, gbp(o.annual_cost_gbp_per_year), gbp(o.one_off_gbp), gbp(o.npv_gbp), o.open_rooms.join(", ")].forEach(function (v) { row.appendChild(text("td", v)); });
          table.appendChild(row);
        });
        box.replaceChildren(text("p", "Status quo: " + gbp(job.status_quo_annual_gbp_per_year) + " a year"), table);
        var keys = Object.keys(job.rooms);
        if (keys.length) {
          job.rooms[keys[0]].forEach(function (r) {
            L.marker([r.lat_deg, r.lon_deg]).bindTooltip(tip(function () { return r.name + " (" + keys[0] + "-room option)"; })).addTo(rooms);
          });
        }
      }).catch(function (err) { status.textContent = "status unavailable: " + err.message; });
    }
    tick();
  }

  /* The legend lists what this map draws, in the colours it draws them. */
  function legendEntries(layers, basemap, coverage) {
    var levels = ["detect", "observe", "recognise", "identify"].map(function (l) {
      return ["view wedge: " + l, LEVEL_COLOURS[l], { fillOpacity: 0.25, border: LEVEL_COLOURS[l] }];
    });
    var entries = [];
    if (layers.indexOf("wedges") >= 0) { entries = entries.concat(levels); }
    if (layers.indexOf("cameras") >= 0) {
      ["council", "tfl", "police", "private"].forEach(function (owner) {
        var colour = OWNER_COLOURS[owner];
        entries.push([(owner === "tfl" ? "TfL" : owner) + " camera", colour, { round: true, fillOpacity: 0.8, border: colour }]);
      });
      entries.push(["cluster (number of cameras)", CLUSTER_COLOUR, { round: true }]);
      entries = entries.concat(levels.map(function (e) { return [e[0] + " (zoom in)", e[1], e[2]]; }));
    }
    return entries.concat(coverage, basemap);
  }

  function initMap(el) {
    var map = L.map(el, { zoomSnap: 0.25, minZoom: 8, maxZoom: 19 }).setView([51.5, -0.12], 10);
    el.cctvscopeMap = map;  // for the browser tests' views at a chosen place and zoom
    L.control.scale({ imperial: false }).addTo(map);
    var layers = (el.dataset.layers || "").split(",");
    var overlays = {};
    var pending = [];
    var at = null;
    if (layers.indexOf("point") >= 0) {
      at = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
      L.circleMarker(at, { radius: 7, color: "#000" }).addTo(map);
      map.setView(at, 16);
    }
    var basemap = window.cctvscopeBasemap ? window.cctvscopeBasemap.addBasemap(map) : Promise.resolve([]);
    var coverage = layers.indexOf("coverage") >= 0 ? coverageLayers(map, el, overlays) : Promise.resolve([]);
    pending.push(basemap, coverage);
    if (layers.indexOf("boroughs") >= 0) { pending.push(boroughLayer(map, el, overlays)); }
    if (layers.indexOf("cameras") >= 0) { pending.push(cameraLayer(map, el, overlays)); wedgesInView(map, overlays); }
    if (layers.indexOf("wedges") >= 0) { pending.push(cameraWedges(map, el)); }
    if (layers.indexOf("search") >= 0) { searchOnClick(map); }
    var status = document.getElementById("job-status");
    if (layers.indexOf("rooms") >= 0 && status) { pollJob(map, status); }
    Promise.allSettled(pending).then(function (settled) {
      legend(map, legendEntries(layers, settled[0].value || [], settled[1].value || []));
      if (at) { map.setView(at, 16); }  // a place found: the outlines' fit must not undo it
      L.control.layers(null, overlays).addTo(map);
      el.setAttribute("data-map-ready", "1");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("map");
    if (el && window.L) { initMap(el); }
  });
})();
