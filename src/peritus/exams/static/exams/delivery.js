// Exam delivery: autosave with retries, and a countdown that follows the server's clock.
// Progressive enhancement only: every page works without this file (each question is a normal
// form with "save and next"), and the server's time is authoritative.
(function () {
  "use strict";

  var STORE_PREFIX = "peritus-exam-pending:";
  var MAX_BACKOFF_MS = 15000;

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID().replace(/-/g, "");
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function formatClock(seconds) {
    var total = Math.max(0, Math.floor(seconds));
    var hours = Math.floor(total / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var secs = total % 60;
    var mm = hours ? ("0" + minutes).slice(-2) : String(minutes);
    return (hours ? hours + ":" : "") + mm + ":" + ("0" + secs).slice(-2);
  }

  // The countdown ---------------------------------------------------------------------------------
  var timer = null;

  function Timer(element) {
    this.element = element;
    this.text = element.querySelector("[data-exam-remaining]");
    this.announcer = document.getElementById("exam-announcer");
    this.clockUrl = element.getAttribute("data-clock-url");
    this.lobbyUrl = element.getAttribute("data-lobby-url");
    this.remaining = parseInt(element.getAttribute("data-remaining"), 10);
    this.announced = {};
    this.lastSync = Date.now();
    this.checking = false;
    var self = this;
    window.setInterval(function () { self.tick(); }, 1000);
  }

  Timer.prototype.set = function (seconds) {
    if (typeof seconds === "number" && !isNaN(seconds)) {
      this.remaining = seconds;
      this.render();
    }
  };

  Timer.prototype.render = function () {
    if (this.text && !isNaN(this.remaining)) {
      this.text.textContent = formatClock(this.remaining);
    }
  };

  Timer.prototype.announce = function () {
    if (!this.announcer) { return; }
    // With the screen-reader accommodation, the time left is also read out every ten minutes.
    var every = parseInt(this.element.getAttribute("data-announce-every"), 10);
    if (every && this.remaining > 0 && this.remaining % every === 0) {
      var left = Math.round(this.remaining / 60);
      this.announcer.textContent = (this.announcer.getAttribute("data-many") || "").replace("%(minutes)s", String(left));
    }
    var minutes = [15, 5, 1];
    for (var i = 0; i < minutes.length; i += 1) {
      var m = minutes[i];
      if (this.remaining <= m * 60 && this.remaining > m * 60 - 5 && !this.announced[m]) {
        this.announced[m] = true;
        var template = this.announcer.getAttribute(m === 1 ? "data-one" : "data-many") || "";
        this.announcer.textContent = template.replace("%(minutes)s", String(m));
      }
    }
  };

  Timer.prototype.tick = function () {
    if (isNaN(this.remaining)) { return; }
    this.remaining -= 1;
    this.render();
    this.announce();
    if (this.remaining <= 0 || Date.now() - this.lastSync > 10000) {
      this.sync();
    }
  };

  Timer.prototype.sync = function () {
    var self = this;
    if (self.checking || !self.clockUrl) { return; }
    self.checking = true;
    fetch(self.clockUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        self.lastSync = Date.now();
        if (data.status !== "in_progress" || !data.running) {
          flushThen(function () { window.location.assign(data.lobby || self.lobbyUrl); });
          return;
        }
        self.set(data.remaining_seconds);
      })
      .catch(function () { self.lastSync = Date.now(); })
      .then(function () { self.checking = false; });
  };

  // Autosave ---------------------------------------------------------------------------------------
  var saver = null;

  function Saver(form) {
    this.form = form;
    this.url = form.getAttribute("data-autosave-url");
    this.lobbyUrl = form.getAttribute("data-lobby-url");
    this.position = form.querySelector("input[name=position]").value;
    this.status = document.getElementById("save-status");
    this.storeKey = STORE_PREFIX + form.getAttribute("data-attempt");
    this.sending = false;
    this.backoff = 1000;
    this.retryTimer = null;
    this.debounce = null;
    this.idle = [];
    var self = this;
    form.addEventListener("change", function () { self.enqueueNow(); });
    form.addEventListener("input", function (event) {
      var target = event.target;
      if (target && (target.tagName === "TEXTAREA" || target.type === "text")) {
        window.clearTimeout(self.debounce);
        self.debounce = window.setTimeout(function () { self.enqueueNow(); }, 700);
      }
    });
    form.addEventListener("submit", function () {
      // The posted form carries this question's latest state: drop what waits for it here.
      window.clearTimeout(self.debounce);
      self.write(self.read().filter(function (item) {
        return item.position !== self.position || item.inFlight;
      }));
    });
    window.addEventListener("online", function () { self.kick(); });
    this.restore();
    this.kick();
  }

  Saver.prototype.read = function () {
    try {
      return JSON.parse(window.localStorage.getItem(this.storeKey) || "[]");
    } catch (error) {
      return [];
    }
  };

  Saver.prototype.write = function (items) {
    try {
      if (items.length) {
        window.localStorage.setItem(this.storeKey, JSON.stringify(items));
      } else {
        window.localStorage.removeItem(this.storeKey);
      }
    } catch (error) { /* storage full or disabled: the in-page queue still retries */ }
    this.memory = items;
  };

  Saver.prototype.show = function (state, text) {
    if (!this.status) { return; }
    this.status.setAttribute("data-state", state);
    this.status.textContent = text || this.status.getAttribute("data-" + state) || "";
  };

  Saver.prototype.body = function () {
    var data = new FormData(this.form);
    data.delete("go");
    data.delete("csrfmiddlewaretoken");
    data.delete("key");
    var params = new URLSearchParams();
    data.forEach(function (value, name) { params.append(name, value); });
    return params.toString();
  };

  Saver.prototype.enqueueNow = function () {
    window.clearTimeout(this.debounce);
    var self = this;
    // A newer state of the same question replaces one that has not been sent yet.
    var items = this.read().filter(function (item) {
      return item.inFlight || item.position !== self.position;
    });
    items.push({ key: newKey(), position: this.position, body: this.body(), inFlight: false });
    this.write(items);
    this.show("pending");
    this.kick();
  };

  // After a reload: show this question's unsent answer, then send it (the same key stores once).
  Saver.prototype.restore = function () {
    var self = this;
    var mine = this.read().filter(function (item) { return item.position === self.position; });
    var items = this.read().map(function (item) { item.inFlight = false; return item; });
    this.write(items);
    if (!mine.length) { return; }
    var params = new URLSearchParams(mine[mine.length - 1].body);
    Array.prototype.forEach.call(this.form.elements, function (field) {
      if (!field.name || field.name === "position" || field.name === "key") { return; }
      var values = params.getAll(field.name);
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = values.indexOf(field.value) !== -1;
      } else if (field.tagName === "SELECT" || field.tagName === "TEXTAREA" || field.type === "text") {
        field.value = values.length ? values[0] : "";
      }
    });
  };

  Saver.prototype.kick = function () {
    if (this.sending) { return; }
    var items = this.read();
    if (!items.length) { return; }
    var item = items[0];
    item.inFlight = true;
    this.write(items);
    this.send(item);
  };

  Saver.prototype.finish = function (item) {
    this.write(this.read().filter(function (other) { return other.key !== item.key; }));
    this.sending = false;
    this.backoff = 1000;
  };

  Saver.prototype.retry = function (item) {
    var self = this;
    this.sending = false;
    this.write(this.read().map(function (other) {
      if (other.key === item.key) { other.inFlight = false; }
      return other;
    }));
    this.show("retrying");
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(function () { self.kick(); }, this.backoff);
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
  };

  Saver.prototype.send = function (item) {
    var self = this;
    var token = this.form.querySelector("input[name=csrfmiddlewaretoken]");
    this.sending = true;
    fetch(this.url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-CSRFToken": token ? token.value : "",
        "X-Exam-Token": this.form.getAttribute("data-save-token") || "",
        "Accept": "application/json"
      },
      body: item.body + "&key=" + encodeURIComponent(item.key)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    }).then(function (result) {
      if (result.status === 200 && result.data.saved) {
        self.finish(item);
        if (timer && typeof result.data.remaining_seconds === "number") {
          timer.set(result.data.remaining_seconds);
        }
        if (self.read().length) { self.kick(); } else { self.show("saved"); self.drain(); }
        return;
      }
      if (result.status >= 500 || result.status === 0 || result.status === 429) {
        self.retry(item);
        return;
      }
      // A refusal is final: this save will never be taken (the key never stores twice anyway).
      self.finish(item);
      var code = result.data.code || "";
      if (code === "answer_after_deadline" || code === "attempt_closed" || code === "attempt_paused") {
        self.write([]);
        window.location.assign(self.lobbyUrl);
        return;
      }
      self.show("refused", result.data.message);
      self.kick();
    }).catch(function () {
      self.retry(item);
    });
  };

  Saver.prototype.drain = function () {
    var callbacks = this.idle;
    this.idle = [];
    callbacks.forEach(function (callback) { callback(); });
  };

  function flushThen(callback) {
    if (!saver || !saver.read().length) { callback(); return; }
    saver.idle.push(callback);
    window.setTimeout(callback, 4000);  // never hold the candidate back for long
  }

  document.addEventListener("DOMContentLoaded", function () {
    var timerElement = document.querySelector("[data-exam-timer]");
    if (timerElement) { timer = new Timer(timerElement); }
    var form = document.querySelector("form[data-autosave-url]");
    if (form) {
      saver = new Saver(form);
      var js = document.querySelectorAll("[data-js-only]");
      Array.prototype.forEach.call(js, function (element) { element.hidden = false; });
    }
    // Pages that wait for the invigilator ask again on their own.
    var waiting = document.querySelector("[data-refresh-url]");
    if (waiting) {
      var url = waiting.getAttribute("data-refresh-url");
      var state = waiting.getAttribute("data-refresh-state");
      window.setInterval(function () {
        fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (response) { return response.json(); })
          .then(function (data) {
            var ready = waiting.getAttribute("data-released") === "true";
            if (data.status !== state || (data.status === "checked_in" && data.released !== ready)) {
              window.location.reload();
            }
          })
          .catch(function () { /* try again at the next interval */ });
      }, 5000);
    }
  });
})();
