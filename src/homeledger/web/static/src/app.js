// homeledger's own script: CSRF for htmx, toasts, charts, shortcuts, small helpers.
// Loaded with `defer` on every page; no inline scripts anywhere (strict CSP).
(function () {
  "use strict";

  var csrf = document.querySelector('meta[name="csrf-token"]');

  // Every htmx request carries the session's CSRF token.
  document.body.addEventListener("htmx:configRequest", function (event) {
    if (csrf) event.detail.headers["X-CSRF-Token"] = csrf.content;
  });

  // Toasts: from the server (HX-Trigger: hl-toast), from failed requests, from the flash.
  var toasts = document.getElementById("toasts");
  function toast(text, level) {
    if (!toasts) return;
    var item = document.createElement("div");
    item.className = "toast toast-" + (level || "success");
    item.setAttribute("role", level === "error" ? "alert" : "status");
    item.textContent = text;
    toasts.appendChild(item);
    dismissLater(item, level === "error" ? 8000 : 4000);
  }
  function dismissLater(item, ms) {
    setTimeout(function () { item.remove(); }, ms);
  }
  Array.prototype.forEach.call(document.querySelectorAll(".toast"), function (item) {
    dismissLater(item, 5000);
  });
  document.body.addEventListener("hl-toast", function (event) {
    toast(event.detail.text, event.detail.level);
  });
  document.body.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.getResponseHeader("HX-Trigger")) return; // the server already said why
    toast(xhr.status >= 500 ? "Something went wrong on our side; nothing changed."
      : "That did not work (" + xhr.status + ").", "error");
  });
  document.body.addEventListener("htmx:sendError", function () {
    toast("Could not reach the server. Check the connection and try again.", "error");
  });

  // Charts: <div data-chart="id-of-json-block"> with the data in a JSON script block.
  function cssVar(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }
  var palette = ["#17624f", "#2f6fde", "#c2185b", "#f29d38", "#7b61c9", "#2a9d8f",
    "#b35c1e", "#5b8c2a", "#9e3c3c", "#4a6fa5"];
  function chartOption(spec, width) {
    var text = cssVar("--text"), muted = cssVar("--muted"), border = cssVar("--border");
    var money = new Intl.NumberFormat(spec.locale || undefined, {
      style: "currency", currency: spec.currency || "EUR"
    });
    var base = {
      color: palette, textStyle: { color: text, fontFamily: "inherit" },
      tooltip: { valueFormatter: function (v) { return money.format(v); } },
      animation: false
    };
    if (spec.type === "pie") {
      base.tooltip.trigger = "item";
      // On a phone the labels would not fit; the table under the chart names each slice.
      base.series = [{ type: "pie", radius: ["45%", "75%"],
        label: { color: text, show: width > 480 }, labelLine: { show: width > 480 },
        data: spec.labels.map(function (l, i) { return { name: l, value: spec.values[i] }; }) }];
      return base;
    }
    base.tooltip.trigger = "axis";
    base.grid = { left: 8, right: 16, top: 24, bottom: 8, containLabel: true };
    var axisLine = { lineStyle: { color: border } };
    base.yAxis = { type: "value", axisLabel: { color: muted }, splitLine: axisLine };
    if (spec.type === "line") {
      base.xAxis = { type: "time", axisLabel: { color: muted }, axisLine: axisLine };
      base.series = [{ type: "line", step: "end", showSymbol: false, areaStyle: { opacity: 0.12 },
        data: spec.points }];
    } else {
      base.xAxis = { type: "category", data: spec.labels, axisLabel: { color: muted },
        axisLine: axisLine };
      base.series = (spec.series || [{ name: "", values: spec.values }]).map(function (s) {
        return { type: "bar", name: s.name, data: s.values, barMaxWidth: 48 };
      });
    }
    return base;
  }
  var charts = [];
  function initCharts(root) {
    if (!window.echarts) return;
    Array.prototype.forEach.call(root.querySelectorAll("[data-chart]"), function (el) {
      if (el.dataset.ready) return;
      var block = document.getElementById(el.dataset.chart);
      if (!block) return;
      el.dataset.ready = "1";
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(chartOption(JSON.parse(block.textContent), el.clientWidth));
      charts.push(chart);
    });
  }
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });

  // Small behaviours, delegated so that htmx-swapped content gets them too.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches("[data-autosubmit]") && el.form) el.form.requestSubmit();
    if (el.matches("[data-select-all]")) {
      var scope = el.closest("table") || document;
      Array.prototype.forEach.call(scope.querySelectorAll('input[name="ids"]'), function (box) {
        box.checked = el.checked;
      });
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-open-shortcuts]")) {
      event.preventDefault();
      var dialog = document.getElementById("shortcuts");
      if (dialog) dialog.showModal();
      return;
    }
    var remove = event.target.closest("[data-remove-line]");
    if (remove) {
      event.preventDefault();
      var line = remove.closest(".line");
      if (line && line.parentElement.querySelectorAll(".line").length > 1) line.remove();
    }
  });
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // Keyboard shortcuts (press ? for the list). Never while typing in a field.
  var rows = function () { return document.querySelectorAll("tr[data-row]"); };
  var current = -1, pendingG = false;
  function select(index) {
    var list = rows();
    if (!list.length) return;
    current = Math.max(0, Math.min(list.length - 1, index));
    Array.prototype.forEach.call(list, function (r) { r.classList.remove("selected"); });
    list[current].classList.add("selected");
    list[current].scrollIntoView({ block: "nearest" });
  }
  function focus(selector) {
    var el = document.querySelector(selector);
    if (!el) return;
    var folded = el.closest("details");
    if (folded) folded.open = true;
    el.focus();
    if (el.select) el.select();
  }
  document.addEventListener("keydown", function (event) {
    var t = event.target;
    if (event.key === "Escape" && t.matches && t.matches("input, select, textarea")) { t.blur(); return; }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (t.matches && t.matches("input, select, textarea, [contenteditable]")) return;
    if (pendingG) {
      pendingG = false;
      var link = document.querySelector('.nav a[data-key="' + event.key + '"]');
      if (link) { event.preventDefault(); link.click(); }
      return;
    }
    var list = rows(), row = list[current];
    switch (event.key) {
      case "g": pendingG = true; setTimeout(function () { pendingG = false; }, 1500); break;
      case "/": event.preventDefault(); focus("[data-shortcut-search]"); break;
      case "n": event.preventDefault(); focus("[data-shortcut-new]"); break;
      case "j": select(current + 1); break;
      case "k": select(current - 1); break;
      case "x": if (row) { var box = row.querySelector('input[name="ids"]'); if (box) box.click(); } break;
      case "e": if (row) { var edit = row.querySelector("[data-edit]"); if (edit) edit.click(); } break;
      case "?": var help = document.getElementById("shortcuts"); if (help) help.showModal(); break;
      default: return;
    }
  });
  document.addEventListener("htmx:load", function (event) { initCharts(event.detail.elt); });
  document.addEventListener("DOMContentLoaded", function () { initCharts(document); });
  if (document.readyState !== "loading") initCharts(document);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () { /* offline page only */ });
  }
})();
