/* The phone simulator page (bot/channels/phone.py). Plain JavaScript, no third-party code.
   It asks /phone/api/thread for both threads (waiting for a change), and posts what the parent types, or the
   WhatsApp button or list row they tap, to /phone/api/send/<channel>. Every text is shown as text. */
(function () {
  "use strict";

  var version = -1;
  var status = document.querySelector("[data-ph-status]");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  function say(text) {
    status.textContent = text || "";
  }

  function post(path, body) {
    return fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () {
        return { ok: response.ok };
      });
    });
  }

  function send(channel, body) {
    say("");
    return post("/phone/api/send/" + channel, body)
      .then(function (result) {
        if (!result.ok) {
          say(result.error || "The assistant did not take that message (HTTP " + result.status + ").");
        }
      })
      .catch(function () {
        say("Could not reach the simulator. Is `make run` running?");
      });
  }

  function smsMeta(message) {
    var parts = [];
    if (message.segments !== undefined) {
      parts.push(message.segments + (message.segments === 1 ? " segment" : " segments"));
      parts.push(message.encoding);
      parts.push(message.characters + " characters");
    }
    return parts.join(" · ");
  }

  function choiceButton(title, onTap) {
    var button = el("button", null, title);
    button.type = "button";
    button.addEventListener("click", onTap);
    return button;
  }

  function bubble(channel, message) {
    var kind = message.direction === "in" ? "ph-in" : message.from ? "ph-platform" : "ph-out";
    var node = el("div", "ph-msg " + kind);
    node.setAttribute("data-ph-direction", message.from ? "platform" : message.direction);
    node.appendChild(el("span", "ph-text", message.text));
    var meta = [];
    if (message.from) {
      meta.push("from " + message.from + ", not the assistant");
    }
    if (channel === "sms" && message.direction === "out") {
      meta.push(smsMeta(message));
    }
    if (message.tapped) {
      meta.push("tapped");
    }
    if (meta.length) {
      node.appendChild(el("span", "ph-meta", meta.join(" · ")));
    }
    if (message.buttons && message.buttons.length) {
      var buttons = el("div", "ph-choices");
      message.buttons.forEach(function (b) {
        buttons.appendChild(
          choiceButton(b.title, function () {
            send("whatsapp", { reply: { id: b.id, title: b.title, kind: "button" } });
          })
        );
      });
      node.appendChild(buttons);
    }
    if (message.list && message.list.rows && message.list.rows.length) {
      var list = el("div", "ph-choices");
      list.appendChild(el("span", "ph-meta", message.list.button));
      message.list.rows.forEach(function (row) {
        list.appendChild(
          choiceButton(row.description || row.title, function () {
            send("whatsapp", { reply: { id: row.id, title: row.title, kind: "list" } });
          })
        );
      });
      node.appendChild(list);
    }
    return node;
  }

  function render(channel, data) {
    var phone = document.querySelector('[data-ph-channel="' + channel + '"]');
    var thread = phone.querySelector("[data-ph-thread]");
    phone.querySelector("[data-ph-number]").textContent = data.number;
    while (thread.firstChild) {
      thread.removeChild(thread.firstChild);
    }
    data.messages.forEach(function (message) {
      thread.appendChild(bubble(channel, message));
    });
    thread.scrollTop = thread.scrollHeight;
  }

  function poll() {
    fetch("/phone/api/thread?after=" + version, { cache: "no-store" })
      .then(function (response) {
        return response.json();
      })
      .then(function (data) {
        if (data.version !== version) {
          version = data.version;
          render("sms", data.sms);
          render("whatsapp", data.whatsapp);
        }
        poll();
      })
      .catch(function () {
        say("Lost the simulator. Trying again...");
        window.setTimeout(poll, 2000);
      });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-ph-channel]"), function (phone) {
    var channel = phone.getAttribute("data-ph-channel");
    var form = phone.querySelector("[data-ph-form]");
    var input = phone.querySelector("[data-ph-input]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value;
      if (!text.trim()) {
        return;
      }
      input.value = "";
      send(channel, { text: text });
    });
  });

  document.querySelector("[data-ph-new]").addEventListener("click", function () {
    post("/phone/api/new-parent", {});
  });

  poll();
})();
