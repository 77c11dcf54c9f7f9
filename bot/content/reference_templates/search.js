/* Offline search for the reference site. The index is embedded in index.html as JSON
   (<script type="application/json" id="search-index">), so it works from a file:// copy with no network. */
(function () {
  "use strict";

  var dataNode = document.getElementById("search-index");
  var form = document.getElementById("search");
  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var results = document.getElementById("search-results");
  var topicList = document.getElementById("topic-list");
  if (!dataNode || !form || !input || !status || !results || !topicList) {
    return;
  }

  var index;
  try {
    index = JSON.parse(dataNode.textContent || "[]");
  } catch (err) {
    return; // the list of topics below still works without search
  }

  // The same normalisation as bot/content/reference.py search_key(): lower case, accents removed, punctuation
  // to spaces.
  function key(text) {
    return String(text)
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[^0-9a-z]+/g, " ")
      .trim();
  }

  function hasWordStarting(haystack, token) {
    return (" " + haystack).indexOf(" " + token) !== -1;
  }

  function search(query) {
    var tokens = key(query).split(" ").filter(Boolean).slice(0, 20);
    if (!tokens.length) {
      return null;
    }
    var phrase = tokens.join(" ");
    var found = [];
    index.forEach(function (entry, position) {
      var score = 0;
      for (var i = 0; i < tokens.length; i++) {
        var t = tokens[i];
        var s = 0;
        if (hasWordStarting(entry.title_key, t)) {
          s = 3;
        } else if (hasWordStarting(entry.questions_key, t)) {
          s = 2;
        } else if (hasWordStarting(entry.text_key, t)) {
          s = 1;
        }
        if (!s) {
          return;
        }
        score += s;
      }
      // A title that starts with, or holds, the whole query comes first.
      if (entry.title_key.indexOf(phrase) === 0) {
        score += 3;
      } else if (hasWordStarting(entry.title_key, phrase)) {
        score += 2;
      }
      found.push({ entry: entry, score: score, position: position });
    });
    found.sort(function (a, b) {
      return b.score - a.score || a.position - b.position;
    });
    return found.map(function (f) {
      return f.entry;
    });
  }

  function show(query) {
    var found = search(query);
    while (results.firstChild) {
      results.removeChild(results.firstChild);
    }
    if (found === null) {
      results.hidden = true;
      topicList.hidden = false;
      status.textContent = "";
      return;
    }
    found.forEach(function (entry) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = entry.url;
      a.textContent = entry.title;
      var theme = document.createElement("span");
      theme.className = "theme-name";
      theme.textContent = entry.theme;
      li.appendChild(a);
      li.appendChild(theme);
      results.appendChild(li);
    });
    results.hidden = found.length === 0;
    topicList.hidden = true;
    // The words come from the form's data attributes, in the page's language (bot/content/reference.py).
    status.textContent =
      found.length === 0
        ? form.getAttribute("data-none")
        : found.length + (found.length === 1 ? form.getAttribute("data-one") : form.getAttribute("data-many"));
  }

  var timer = null;
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      show(input.value);
    }, 150);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    show(input.value);
  });
  form.hidden = false;
  if (input.value) {
    show(input.value);
  }
})();
