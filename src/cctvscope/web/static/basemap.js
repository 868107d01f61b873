/* cctvscope street map and coverage tiles: GeoJSON tiles from this server (/tiles/...), drawn
   on a canvas per tile. No CDN, no outside tile server; names are drawn as canvas text, never
   HTML. One style table draws the map and fills the legend, so the legend shows what is drawn. */
(function () {
  "use strict";

  var ORDER = ["land", "park", "water", "waterway", "main_road", "street", "rail", "station", "place", "coverage", "gap"];
  var STYLE = {
    land: { fill: "#f2efe9", label: "land (the region's areas)" },
    park: { fill: "#c8e6b0", label: "park or garden" },
    water: { fill: "#aad3df", label: "water" },
    waterway: { stroke: "#8cc4d8", label: "river, canal, stream" },
    main_road: { fill: "#f6cf8e", stroke: "#e0a040", label: "main road (TfL Red Route)" },
    street: { stroke: "#ffffff", casing: "#c4bcae", label: "street" },
    rail: { stroke: "#6e6e6e", label: "railway" },
    subway: { stroke: "#9a9ab0", label: "Underground (where surfaced or not)" },
    station: { fill: "#ffffff", stroke: "#3b3b3b", label: "station" },
    place: { fill: "#333333" },
    coverage: { fill: "#2b8cbe", opacity: 0.35, label: "coverage (Recognise)" },
    gap: { fill: "#e6550d", stroke: "#e6550d", opacity: 0.3, label: "gap (ranked by crime)" }
  };
  var MAX_NATIVE_ZOOM = 18;

  function escapeText(value) {
    /* Attribution lines go into Leaflet's control as HTML: escape them. */
    return String(value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function streetWidth(z) {
    return z < 13 ? 0.6 : z < 14 ? 1 : z < 15 ? 1.6 : z < 16 ? 2.6 : z < 17 ? 4 : z < 18 ? 6.5 : 10;
  }

  function project(coords, z, origin) {
    var n = 256 * Math.pow(2, z);
    var s = Math.sin(coords[1] * Math.PI / 180);
    s = Math.min(Math.max(s, -0.9999), 0.9999);
    return [(coords[0] + 180) / 360 * n - origin[0], (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * n - origin[1]];
  }

  function trace(ctx, geometry, z, origin) {
    function line(points) {
      points.forEach(function (c, i) {
        var p = project(c, z, origin);
        if (i === 0) { ctx.moveTo(p[0], p[1]); } else { ctx.lineTo(p[0], p[1]); }
      });
    }
    var t = geometry.type, c = geometry.coordinates;
    if (t === "LineString") { line(c); }
    else if (t === "MultiLineString" || t === "Polygon") { c.forEach(line); }
    else if (t === "MultiPolygon") { c.forEach(function (poly) { poly.forEach(line); }); }
  }

  function firstPoint(geometry) {
    var c = geometry.coordinates;
    return geometry.type === "Point" ? c : null;
  }

  function drawShapes(ctx, features, z, origin, layer) {
    var st = layer === "rail" ? null : STYLE[layer];
    features.forEach(function (f) {
      var kind = f.properties.kind;
      var s = st;
      if (layer === "rail") { s = kind === "subway" ? STYLE.subway : STYLE.rail; }
      ctx.beginPath();
      trace(ctx, f.geometry, z, origin);
      ctx.globalAlpha = s.opacity === undefined ? 1 : s.opacity;
      if (s.fill && f.geometry.type.indexOf("Polygon") >= 0) { ctx.fillStyle = s.fill; ctx.fill("evenodd"); }
      ctx.globalAlpha = 1;
      if (layer === "main_road") { ctx.strokeStyle = s.stroke; ctx.lineWidth = z < 14 ? 1.2 : 0.8; ctx.stroke(); }
      else if (layer === "gap") { ctx.strokeStyle = s.stroke; ctx.lineWidth = 1.2; ctx.stroke(); }
      else if (layer === "waterway") {
        ctx.strokeStyle = s.stroke;
        ctx.lineWidth = (kind === "river" || kind === "canal") ? Math.max(1.2, streetWidth(z) * 0.8) : 0.8;
        ctx.stroke();
      } else if (layer === "rail") {
        ctx.strokeStyle = s.stroke;
        ctx.lineWidth = kind === "subway" ? 1 : z < 14 ? 1.1 : 1.8;
        ctx.setLineDash(kind === "subway" ? [4, 3] : []);
        ctx.stroke();
        ctx.setLineDash([]);
      }
    });
  }

  function drawStreets(ctx, features, z, origin) {
    var w = streetWidth(z);
    [[STYLE.street.casing, w + (z < 14 ? 0.6 : 1.6)], [STYLE.street.stroke, w]].forEach(function (pass) {
      ctx.strokeStyle = pass[0];
      ctx.lineWidth = pass[1];
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.beginPath();
      features.forEach(function (f) { trace(ctx, f.geometry, z, origin); });
      ctx.stroke();
    });
  }

  function label(ctx, text, x, y, font, colour) {
    ctx.font = font;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.lineWidth = 3;
    ctx.strokeStyle = "rgba(255,255,255,0.9)";
    ctx.strokeText(text, x, y);  // canvas text: a name is drawn, never parsed as markup
    ctx.fillStyle = colour;
    ctx.fillText(text, x, y);
  }

  var PLACE_FONTS = { national_capital: "bold 15px sans-serif", city: "bold 14px sans-serif", town: "bold 13px sans-serif", suburb: "12px sans-serif" };

  function drawPoints(ctx, features, z, origin, layer) {
    features.forEach(function (f) {
      var c = firstPoint(f.geometry);
      if (!c) { return; }
      var p = project(c, z, origin);
      var name = f.properties.name || "";
      if (layer === "station") {
        // a square, unlike the round camera markers
        var r = z < 15 ? 3 : 4.5;
        ctx.fillStyle = STYLE.station.fill;
        ctx.fillRect(p[0] - r, p[1] - r, 2 * r, 2 * r);
        ctx.strokeStyle = STYLE.station.stroke;
        ctx.lineWidth = 1.5;
        ctx.strokeRect(p[0] - r, p[1] - r, 2 * r, 2 * r);
        if (z >= 15 && name) { label(ctx, name, p[0], p[1] - 12, "11px sans-serif", STYLE.station.stroke); }
      } else if (layer === "place" && name) {
        label(ctx, name, p[0], p[1], PLACE_FONTS[f.properties.kind] || "italic 11px sans-serif", STYLE.place.fill);
      }
    });
  }

  function drawTile(canvas, data, coords) {
    var ratio = window.devicePixelRatio || 1;
    var ctx = canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    var origin = [coords.x * 256, coords.y * 256];
    var byLayer = {};
    data.features.forEach(function (f) {
      var layer = f.properties.layer;
      (byLayer[layer] = byLayer[layer] || []).push(f);
    });
    ORDER.forEach(function (layer) {
      var features = byLayer[layer];
      if (!features) { return; }
      if (layer === "street") { drawStreets(ctx, features, coords.z, origin); }
      else if (layer === "station" || layer === "place") { drawPoints(ctx, features, coords.z, origin, layer); }
      else { drawShapes(ctx, features, coords.z, origin, layer); }
    });
    canvas.setAttribute("data-features", String(data.features.length));
    canvas.setAttribute("data-streets", String((byLayer.street || []).length));
  }

  var GeoJSONTiles = L.GridLayer.extend({
    createTile: function (coords, done) {
      var canvas = document.createElement("canvas");
      var ratio = window.devicePixelRatio || 1;
      var size = this.getTileSize();
      canvas.width = size.x * ratio;
      canvas.height = size.y * ratio;
      var url = L.Util.template(this.options.url, coords);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
        .then(function (r) {
          if (!r.ok) { throw new Error(url + ": " + r.status); }
          return r.json();
        })
        .then(function (data) { drawTile(canvas, data, coords); done(null, canvas); })
        .catch(function (err) { canvas.setAttribute("data-error", err.message); done(err, canvas); });
      return canvas;
    }
  });

  function legendEntry(name) {
    var s = STYLE[name];
    return [s.label, s.fill || s.stroke, { border: s.casing || s.stroke, fillOpacity: s.opacity }];
  }

  /* The street map under every map: resolves with its legend entries ([] when unavailable). */
  function addBasemap(map) {
    return fetch("/api/layers/basemap", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("basemap: " + r.status); } return r.json(); })
      .then(function (meta) {
        var options = {
          url: meta.url, maxNativeZoom: MAX_NATIVE_ZOOM, maxZoom: 19, minZoom: 0, updateWhenZooming: false,
          attribution: meta.attribution.map(escapeText).join(" | "), className: "basemap-tiles"
        };
        if (meta.bounds_deg) {
          var b = meta.bounds_deg;
          options.bounds = L.latLngBounds([b[1], b[0]], [b[3], b[2]]).pad(0.05);
        }
        new GeoJSONTiles(options).addTo(map);
        map.getContainer().setAttribute("data-basemap", meta.region);
        // the legend names the layers this region's map has, no others
        var entries = ["street", "main_road", "rail", "station", "water", "park"].filter(function (name) {
          return meta.layers.indexOf(name) >= 0;
        });
        return entries.map(legendEntry);
      })
      .catch(function () { return []; });
  }

  /* Coverage at one level and the gaps, as tiles at every zoom, above the street map. */
  function coverageTiles(map, level) {
    if (!map.getPane("coverage")) { map.createPane("coverage").style.zIndex = 350; }
    var layer = new GeoJSONTiles({
      url: "/tiles/coverage/{z}/{x}/{y}.geojson?level=" + encodeURIComponent(level),
      maxNativeZoom: MAX_NATIVE_ZOOM, maxZoom: 19, pane: "coverage", className: "coverage-tiles"
    });
    return { layer: layer, legend: [legendEntry("coverage"), legendEntry("gap")] };
  }

  window.cctvscopeBasemap = { addBasemap: addBasemap, coverageTiles: coverageTiles, style: STYLE };
})();
