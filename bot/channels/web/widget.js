/* Parent Data Assistant chat widget. Vanilla JS: no framework, no CDN, no third-party code, no analytics.

   Talks to Rasa's socketio channel (python-socketio 5 = Engine.IO v4 / Socket.IO v5) over a plain WebSocket:
     engine packets: "0" open, "1" close, "2" ping -> we answer "3" pong, "4" message
     socket packets: "40" connect, "41" disconnect, "42[event, data]" event, "44" connect error
   After "40": emit session_request {session_id}; Rasa answers session_confirm (the id); then we send
   user_uttered {message, session_id}; replies come as bot_uttered {text, quick_replies|buttons}.

   Storage: only the session id, in sessionStorage under "pda.session_id". "Leave this site quickly" (or Escape
   pressed twice within 1 second) removes it, empties the conversation, closes the socket and replaces this
   page in the history with the exit page, so Back does not return here.

   Sessions: Rasa 3.6's socketio channel forgets to await enter_room() with python-socketio 5.10+ (RasaHQ/rasa
   #13027), so replies to a session id other than the socket's own id never arrive. So by default each
   connection asks for a session named after its own socket id, which works with or without that bug. With
   PDA_CONFIG.resumeSessions (only once the channel awaits enter_room) a reconnect or reload asks for the stored
   session id again, so Rasa keeps the conversation.

   Config comes from /config.js: window.PDA_CONFIG = {socketUrl, socketPath, exitUrl, resumeSessions, languages}; exitUrl
   is quick_exit_url in content/council.yml unless the web server is given --exit-url. */
(function () {
  "use strict";

  var STORAGE_PREFIX = "pda.";
  var SESSION_KEY = STORAGE_PREFIX + "session_id";
  var MAX_MESSAGE = 1000;
  var REPLY_TIMEOUT_MS = 30000;
  var MAX_BACKOFF_MS = 30000;
  var DOUBLE_ESCAPE_MS = 1000;
  var TRACKS_PAGE = "/covering-your-tracks.html"; // how to keep a visit private, linked from the chat

  var config = window.PDA_CONFIG || {};
  var exitUrl = typeof config.exitUrl === "string" && config.exitUrl ? config.exitUrl : "/neutral.html";
  var socketUrl = typeof config.socketUrl === "string" && config.socketUrl ? config.socketUrl : location.origin;
  var socketPath = typeof config.socketPath === "string" && config.socketPath ? config.socketPath : "/socket.io/";
  var resumeSessions = config.resumeSessions === true;

  // ---- storage: sessionStorage only, and only our own keys -------------------------------------------------

  function storageAreas() {
    var areas = [];
    try {
      areas.push(window.sessionStorage);
    } catch (err) {
      /* storage blocked */
    }
    try {
      areas.push(window.localStorage);
    } catch (err) {
      /* storage blocked */
    }
    return areas.filter(Boolean);
  }

  function loadSessionId() {
    try {
      return window.sessionStorage.getItem(SESSION_KEY);
    } catch (err) {
      return null;
    }
  }

  function saveSessionId(id) {
    try {
      window.sessionStorage.setItem(SESSION_KEY, id);
    } catch (err) {
      /* private mode: the conversation still works, it just does not survive a reload */
    }
  }

  function forgetEverything() {
    storageAreas().forEach(function (area) {
      try {
        var keys = [];
        for (var i = 0; i < area.length; i++) {
          var k = area.key(i);
          if (k && k.indexOf(STORAGE_PREFIX) === 0) {
            keys.push(k);
          }
        }
        keys.forEach(function (k) {
          area.removeItem(k);
        });
      } catch (err) {
        /* nothing more we can do */
      }
    });
  }

  // ---- small DOM helpers -----------------------------------------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function hiddenText(text) {
    return el("span", "pda-visually-hidden", text);
  }

  // ---- safe markdown subset: paragraphs, **bold**, lists, [links](url). DOM only, never innerHTML ------------

  var INLINE = /\[([^\]\n]+)\]\(([^)\s]+)\)|\*\*([^\n]+?)\*\*/g;

  function safeHref(url) {
    var u = String(url).trim();
    if (/^(https?:\/\/|mailto:|tel:)/i.test(u)) {
      return u;
    }
    if (u.charAt(0) === "/" && u.charAt(1) !== "/") {
      return u;
    }
    return null;
  }

  function appendInline(parent, text) {
    var pos = 0;
    var match;
    var re = new RegExp(INLINE.source, "g");
    while ((match = re.exec(text)) !== null) {
      if (match.index > pos) {
        parent.appendChild(document.createTextNode(text.slice(pos, match.index)));
      }
      if (match[3] !== undefined) {
        var strong = el("strong");
        appendInline(strong, match[3]);
        parent.appendChild(strong);
      } else {
        var href = safeHref(match[2]);
        if (href === null) {
          parent.appendChild(document.createTextNode(match[0]));
        } else {
          var a = el("a");
          a.href = href;
          a.target = "_blank";
          a.rel = "noopener noreferrer";
          appendInline(a, match[1]);
          a.appendChild(hiddenText(" (opens in a new tab)"));
          parent.appendChild(a);
        }
      }
      pos = re.lastIndex;
    }
    if (pos < text.length) {
      parent.appendChild(document.createTextNode(text.slice(pos)));
    }
  }

  var BULLET = /^\s*[-*+]\s+(.*)$/;
  var NUMBERED = /^\s*\d{1,9}[.)]\s+(.*)$/;

  function renderMarkdown(text) {
    var frag = document.createDocumentFragment();
    var lines = String(text)
      .replace(/\r\n?/g, "\n")
      .split("\n");
    var para = null;
    var list = null;
    lines.forEach(function (raw) {
      var line = raw.replace(/\s+$/, "");
      if (!line.trim()) {
        para = null;
        list = null;
        return;
      }
      var b = BULLET.exec(line);
      var n = b ? null : NUMBERED.exec(line);
      if (b || n) {
        var tag = b ? "ul" : "ol";
        if (!list || list.tagName.toLowerCase() !== tag) {
          list = el(tag);
          frag.appendChild(list);
        }
        para = null;
        var li = el("li");
        appendInline(li, (b || n)[1]);
        list.appendChild(li);
        return;
      }
      list = null;
      if (para) {
        para.appendChild(el("br"));
      } else {
        para = el("p");
        frag.appendChild(para);
      }
      appendInline(para, line.trim());
    });
    return frag;
  }

  function cleanInput(text) {
    // Control characters (except newline and tab) are dropped; the length is capped.
    return String(text)
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "")
      .trim()
      .slice(0, MAX_MESSAGE);
  }

  // ---- the UI ----------------------------------------------------------------------------------------------

  var ui = {};
  var lastBotGroup = null;
  var replyTimer = null;

  // "Cymraeg" and "English" in the header: each sends its own name, a switch word the assistant always obeys, so
  // the conversation goes on in that language (PDA_CONFIG.languages, from content/messages/<lang>/language.yml).
  function languageButtons() {
    var languages = Array.isArray(config.languages) ? config.languages : [];
    if (!languages.length) {
      return null;
    }
    var group = el("div", "pda-languages");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Language / Iaith");
    languages.forEach(function (language) {
      if (!language || typeof language.label !== "string" || !language.label) {
        return;
      }
      var button = el("button", "pda-language", language.label);
      button.type = "button";
      if (typeof language.lang === "string") {
        button.lang = language.lang;
      }
      button.addEventListener("click", function () {
        send(language.label, language.label);
      });
      group.appendChild(button);
    });
    return group;
  }

  function build() {
    var root = el("div", "pda-widget");
    root.id = "pda-widget";

    ui.launcher = el("button", "pda-launcher", "Ask about your family's records");
    ui.launcher.type = "button";
    ui.launcher.id = "pda-launcher";
    ui.launcher.setAttribute("aria-expanded", "false");
    ui.launcher.setAttribute("aria-controls", "pda-panel");

    ui.panel = el("section", "pda-panel");
    ui.panel.id = "pda-panel";
    ui.panel.hidden = true;
    ui.panel.setAttribute("aria-labelledby", "pda-title");

    var header = el("div", "pda-header");
    var title = el("h2", "pda-title", "Family records helper");
    title.id = "pda-title";
    ui.close = el("button", "pda-close", "Close");
    ui.close.type = "button";
    ui.close.setAttribute("aria-label", "Close the chat");
    header.appendChild(title);
    var languages = languageButtons();
    if (languages) {
      header.appendChild(languages);
    }
    header.appendChild(ui.close);

    // The greeting is the first item of the log, so it scrolls away with the conversation on small screens.
    var intro = el("div", "pda-msg pda-msg-intro");
    var introText = el("p");
    introText.appendChild(
      document.createTextNode(
        "Hello. Ask what the council does with your family's records, or what you can do about it. "
      )
    );
    intro.appendChild(introText);
    var privacy = el("a", null, "How this assistant handles your chat");
    privacy.href = "/reference/topics/assistant_privacy.html";
    privacy.target = "_blank";
    privacy.rel = "noopener noreferrer";
    privacy.appendChild(hiddenText(" (opens in a new tab)"));
    introText.appendChild(privacy);
    introText.appendChild(document.createTextNode("."));
    var tracksText = el("p");
    var tracks = el("a", null, "Keep your visit private");
    tracks.href = TRACKS_PAGE;
    tracks.target = "_blank";
    tracks.rel = "noopener noreferrer";
    tracks.appendChild(hiddenText(" (opens in a new tab)"));
    tracksText.appendChild(tracks);
    tracksText.appendChild(document.createTextNode(": private windows and clearing your history."));

    ui.log = el("div", "pda-log");
    ui.log.id = "pda-log";
    ui.log.setAttribute("role", "log");
    ui.log.setAttribute("aria-live", "polite");
    ui.log.setAttribute("aria-relevant", "additions");
    ui.log.setAttribute("aria-label", "Conversation");
    ui.log.tabIndex = 0; // a scrollable region must be reachable by keyboard
    intro.appendChild(tracksText);
    ui.log.appendChild(intro);

    ui.typing = el("div", "pda-typing");
    ui.typing.hidden = true;
    var dots = el("span", "pda-dots");
    dots.setAttribute("aria-hidden", "true");
    dots.appendChild(el("span"));
    dots.appendChild(el("span"));
    dots.appendChild(el("span"));
    ui.typing.appendChild(dots);
    ui.typing.appendChild(el("span", null, "The assistant is typing"));

    ui.status = el("p", "pda-status");
    ui.status.id = "pda-status";
    ui.status.setAttribute("role", "status");
    ui.status.setAttribute("aria-live", "polite");

    ui.form = el("form", "pda-form");
    ui.form.id = "pda-form";
    ui.form.noValidate = true;
    var label = el("label", "pda-label", "Type your question");
    label.htmlFor = "pda-input";
    var hint = el("span", "pda-hint", "Press Enter to send. Shift and Enter starts a new line.");
    hint.id = "pda-input-hint";
    var row = el("div", "pda-row");
    ui.input = el("textarea", "pda-input");
    ui.input.id = "pda-input";
    ui.input.rows = 2;
    ui.input.maxLength = MAX_MESSAGE;
    ui.input.setAttribute("autocomplete", "off");
    ui.input.setAttribute("aria-describedby", "pda-input-hint");
    ui.send = el("button", "pda-send", "Send");
    ui.send.type = "submit";
    row.appendChild(ui.input);
    row.appendChild(ui.send);
    ui.form.appendChild(label);
    ui.form.appendChild(hint);
    ui.form.appendChild(row);

    ui.panel.appendChild(header);
    ui.panel.appendChild(ui.log);
    ui.panel.appendChild(ui.typing);
    ui.panel.appendChild(ui.status);
    ui.panel.appendChild(ui.form);
    root.appendChild(ui.panel);
    root.appendChild(ui.launcher);
    document.body.appendChild(root);

    ui.launcher.addEventListener("click", function () {
      if (ui.panel.hidden) {
        openPanel();
      } else {
        closePanel();
      }
    });
    ui.close.addEventListener("click", closePanel);
    ui.form.addEventListener("submit", function (event) {
      event.preventDefault();
      submitTyped();
    });
    ui.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submitTyped();
      }
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-pda-open]"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function (event) {
        event.preventDefault();
        openPanel();
      });
    });
  }

  function fitBelowExitBar() {
    // On small screens the panel fills the window below the quick exit bar, which must stay visible.
    var link = document.querySelector("[data-pda-quick-exit]");
    var bar = link && (link.closest(".pda-exit-bar") || link);
    if (bar) {
      var bottom = Math.max(0, Math.ceil(bar.getBoundingClientRect().bottom));
      document.documentElement.style.setProperty("--pda-exit-bar-height", bottom + "px");
    }
  }

  function openPanel() {
    fitBelowExitBar();
    ui.panel.hidden = false;
    ui.launcher.setAttribute("aria-expanded", "true");
    document.documentElement.classList.add("pda-open");
    ui.input.focus();
    connect();
  }

  function closePanel() {
    ui.panel.hidden = true;
    ui.launcher.setAttribute("aria-expanded", "false");
    document.documentElement.classList.remove("pda-open");
    ui.launcher.focus();
  }

  function setStatus(text) {
    ui.status.textContent = text || "";
  }

  function scrollToEnd() {
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function scrollToAnswer(group) {
    // A long answer is shown from its start, so the parent reads it from the top and scrolls down.
    if (group.offsetHeight > ui.log.clientHeight) {
      ui.log.scrollTop = Math.max(0, group.offsetTop - 8);
    } else {
      scrollToEnd();
    }
  }

  function disableOldChoices() {
    Array.prototype.forEach.call(ui.log.querySelectorAll(".pda-choices button"), function (b) {
      b.disabled = true;
    });
  }

  function addUserMessage(text) {
    lastBotGroup = null;
    var msg = el("div", "pda-msg pda-msg-user");
    msg.appendChild(hiddenText("You said: "));
    var body = el("p", "pda-text", text);
    msg.appendChild(body);
    ui.log.appendChild(msg);
    scrollToEnd();
    return msg;
  }

  function botGroup() {
    if (!lastBotGroup || lastBotGroup !== ui.log.lastElementChild) {
      lastBotGroup = el("div", "pda-msg pda-msg-bot");
      lastBotGroup.appendChild(hiddenText("The assistant said: "));
      ui.log.appendChild(lastBotGroup);
    }
    return lastBotGroup;
  }

  function addBotMessage(data) {
    if (!data || typeof data !== "object") {
      return;
    }
    hideTyping();
    var group = botGroup();
    var text = typeof data.text === "string" ? data.text : "";
    if (text) {
      var part = el("div", "pda-part");
      var source = /^\s*Sources?:\s*/i.exec(text);
      if (source) {
        part.className = "pda-part pda-source";
        var p = el("p");
        p.appendChild(el("span", "pda-source-label", "Source: "));
        appendInline(p, text.slice(source[0].length));
        part.appendChild(p);
      } else {
        part.appendChild(renderMarkdown(text));
      }
      group.appendChild(part);
    }
    var attachment = data.attachment;
    if (attachment && attachment.payload && typeof attachment.payload.src === "string") {
      var href = safeHref(attachment.payload.src);
      if (href) {
        var link = el("a", null, "Open the attachment");
        link.href = href;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        link.appendChild(hiddenText(" (opens in a new tab)"));
        var wrap = el("p", "pda-part");
        wrap.appendChild(link);
        group.appendChild(wrap);
      }
    }
    var map = data.data_map;
    if (map && typeof map.svg === "string" && map.svg.indexOf("<svg") === 0 && typeof map.alt === "string") {
      // The family's data map, drawn by the server. As an <img>, an SVG cannot run script or load anything.
      var figure = el("figure", "pda-part pda-map");
      var img = el("img");
      img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(map.svg);
      img.alt = map.alt;
      img.style.maxWidth = "100%";
      img.style.height = "auto";
      figure.appendChild(img);
      group.appendChild(figure);
    }
    var choices = Array.isArray(data.quick_replies) ? data.quick_replies : data.buttons;
    if (Array.isArray(choices) && choices.length) {
      var box = el("div", "pda-choices");
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", "Choices");
      choices.forEach(function (choice) {
        if (!choice || typeof choice.title !== "string") {
          return;
        }
        var payload = typeof choice.payload === "string" && choice.payload ? choice.payload : choice.title;
        var button = el("button", "pda-choice", choice.title);
        button.type = "button";
        button.addEventListener("click", function () {
          send(payload, choice.title);
          ui.input.focus();
        });
        box.appendChild(button);
      });
      if (box.childNodes.length) {
        group.appendChild(box);
      }
    }
    scrollToAnswer(group);
  }

  function showTyping() {
    ui.typing.hidden = false;
    window.clearTimeout(replyTimer);
    replyTimer = window.setTimeout(function () {
      hideTyping();
      setStatus("No reply yet. Please try sending your message again in a moment.");
    }, REPLY_TIMEOUT_MS);
  }

  function hideTyping() {
    ui.typing.hidden = true;
    window.clearTimeout(replyTimer);
  }

  function submitTyped() {
    var text = cleanInput(ui.input.value);
    if (!text) {
      setStatus("Please type a question first.");
      ui.input.focus();
      return;
    }
    ui.input.value = "";
    send(text, text);
  }

  // ---- Socket.IO over WebSocket ----------------------------------------------------------------------------

  var ws = null;
  var ready = false; // session confirmed: messages can go out
  var sessionId = loadSessionId();
  var queue = [];
  var retries = 0;
  var reconnectTimer = null;
  var heartbeatTimer = null;
  var heartbeatMs = 45000;
  var lostConnection = false;
  var forgotten = false; // this connection started a new conversation after an earlier one
  var leaving = false;

  function socketAddress() {
    var url = new URL(socketPath, socketUrl);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.search = "?EIO=4&transport=websocket";
    return url.toString();
  }

  function connect() {
    if (leaving || ws) {
      return;
    }
    window.clearTimeout(reconnectTimer);
    reconnectTimer = null;
    var socket;
    try {
      socket = new WebSocket(socketAddress());
    } catch (err) {
      scheduleReconnect();
      return;
    }
    ws = socket;
    socket.onmessage = function (event) {
      if (socket === ws && typeof event.data === "string") {
        onPacket(event.data);
      }
    };
    socket.onclose = function () {
      if (socket !== ws) {
        return;
      }
      ws = null;
      ready = false;
      window.clearTimeout(heartbeatTimer);
      if (!leaving) {
        scheduleReconnect();
      }
    };
    socket.onerror = function () {
      /* onclose follows and reconnects */
    };
  }

  function dropSocket() {
    var socket = ws;
    ws = null;
    ready = false;
    window.clearTimeout(heartbeatTimer);
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      try {
        socket.close();
      } catch (err) {
        /* already closed */
      }
    }
  }

  function scheduleReconnect() {
    if (leaving || reconnectTimer) {
      return;
    }
    lostConnection = true;
    var delay = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, retries)) + Math.floor(Math.random() * 500);
    retries = Math.min(retries + 1, 10);
    hideTyping();
    if (navigator.onLine === false) {
      setStatus("You seem to be offline. We will connect again when you are back online.");
    } else {
      var seconds = Math.max(1, Math.round(delay / 1000));
      setStatus(
        "Sorry, we lost the connection. Trying again in " +
          seconds +
          (seconds === 1 ? " second." : " seconds.") +
          " Your messages so far are still here."
      );
    }
    reconnectTimer = window.setTimeout(function () {
      reconnectTimer = null;
      connect();
    }, delay);
  }

  function resetHeartbeat() {
    window.clearTimeout(heartbeatTimer);
    heartbeatTimer = window.setTimeout(function () {
      // No ping from the server in time: the connection is dead even if the browser has not noticed.
      var socket = ws;
      dropSocket();
      if (socket) {
        scheduleReconnect();
      }
    }, heartbeatMs);
  }

  function rawSend(packet) {
    if (ws && ws.readyState === WebSocket.OPEN) {
      ws.send(packet);
      return true;
    }
    return false;
  }

  function emit(name, data) {
    return rawSend("42" + JSON.stringify([name, data]));
  }

  function onPacket(packet) {
    var kind = packet.charAt(0);
    if (kind === "0") {
      try {
        var open = JSON.parse(packet.slice(1));
        if (open && open.pingInterval && open.pingTimeout) {
          heartbeatMs = Number(open.pingInterval) + Number(open.pingTimeout);
        }
      } catch (err) {
        /* keep the default */
      }
      resetHeartbeat();
      rawSend("40");
    } else if (kind === "2") {
      resetHeartbeat();
      rawSend("3");
    } else if (kind === "1") {
      dropSocket();
      scheduleReconnect();
    } else if (kind === "4") {
      onSocketPacket(packet.slice(1));
    }
  }

  function onSocketPacket(packet) {
    var kind = packet.charAt(0);
    if (kind === "0") {
      var socketId = null;
      try {
        var ack = JSON.parse(packet.slice(1) || "{}");
        socketId = ack && typeof ack.sid === "string" ? ack.sid : null;
      } catch (err) {
        /* an older server without a socket id */
      }
      var wanted = resumeSessions && sessionId ? sessionId : socketId || sessionId;
      forgotten = !!(sessionId && wanted !== sessionId && ui.log.querySelector(".pda-msg-user"));
      emit("session_request", { session_id: wanted || null });
    } else if (kind === "1") {
      dropSocket();
      scheduleReconnect();
    } else if (kind === "4") {
      dropSocket();
      scheduleReconnect();
    } else if (kind === "2") {
      var rest = packet.slice(1);
      if (rest.charAt(0) === "/") {
        return; // another namespace: not ours
      }
      rest = rest.replace(/^\d+/, ""); // an ack id, which we do not use
      var event;
      try {
        event = JSON.parse(rest);
      } catch (err) {
        return;
      }
      if (Array.isArray(event) && typeof event[0] === "string") {
        onEvent(event[0], event[1]);
      }
    }
  }

  function onEvent(name, data) {
    if (name === "session_confirm") {
      var id = typeof data === "string" ? data : data && data.session_id;
      if (typeof id === "string" && id) {
        sessionId = id;
        saveSessionId(id);
      }
      ready = true;
      retries = 0;
      if (lostConnection) {
        lostConnection = false;
        setStatus(
          forgotten
            ? "Connected again. The assistant may not remember what you said before, so please ask again."
            : "Connected again."
        );
      } else {
        setStatus("");
      }
      flushQueue();
    } else if (name === "bot_uttered") {
      addBotMessage(data);
    }
  }

  function flushQueue() {
    while (ready && queue.length) {
      var text = queue[0];
      if (!emit("user_uttered", { message: text, session_id: sessionId })) {
        return;
      }
      queue.shift();
      showTyping();
    }
  }

  function send(text, shown) {
    var message = cleanInput(text);
    if (!message) {
      return;
    }
    disableOldChoices();
    addUserMessage(cleanInput(shown) || message);
    if (ready && emit("user_uttered", { message: message, session_id: sessionId })) {
      showTyping();
      return;
    }
    queue.push(message);
    setStatus("Not connected yet. Your message will be sent as soon as we are connected.");
    connect();
  }

  window.addEventListener("resize", function () {
    if (ui.panel && !ui.panel.hidden) {
      fitBelowExitBar();
    }
  });
  window.addEventListener("online", function () {
    if (!ws && !leaving) {
      window.clearTimeout(reconnectTimer);
      reconnectTimer = null;
      connect();
    }
  });
  window.addEventListener("offline", function () {
    setStatus("You seem to be offline. We will connect again when you are back online.");
  });

  // ---- quick exit ------------------------------------------------------------------------------------------

  function quickExit(event) {
    if (event) {
      event.preventDefault();
    }
    leaving = true;
    window.clearTimeout(reconnectTimer);
    window.clearTimeout(replyTimer);
    queue = [];
    sessionId = null;
    dropSocket();
    if (ui.log) {
      while (ui.log.firstChild) {
        ui.log.removeChild(ui.log.firstChild);
      }
      ui.input.value = "";
      setStatus("");
      ui.panel.hidden = true;
    }
    forgetEverything();
    window.location.replace(exitUrl);
  }

  function setUpQuickExit() {
    var links = document.querySelectorAll("[data-pda-quick-exit]");
    if (!links.length) {
      var bar = el("div", "pda-exit-bar");
      var link = el("a", "pda-quick-exit", "Leave this site quickly");
      link.setAttribute("data-pda-quick-exit", "");
      bar.appendChild(link);
      document.body.insertBefore(bar, document.body.firstChild);
      links = [link];
    }
    Array.prototype.forEach.call(links, function (link) {
      link.setAttribute("href", exitUrl);
      link.setAttribute("rel", "noreferrer");
      link.addEventListener("click", quickExit);
    });
    var lastEscape = 0;
    document.addEventListener(
      "keydown",
      function (event) {
        if (event.key !== "Escape" && event.key !== "Esc") {
          return;
        }
        var now = Date.now();
        if (now - lastEscape <= DOUBLE_ESCAPE_MS) {
          quickExit(event);
        } else {
          lastEscape = now;
        }
      },
      true
    );
  }

  function start() {
    setUpQuickExit();
    build();
    window.PDA = Object.freeze({ open: openPanel, close: closePanel, quickExit: quickExit });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
