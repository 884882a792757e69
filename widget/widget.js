/*!
 * Karmayogi Sahayak: the help widget for iGOT Karmayogi portal pages.
 * Plain JavaScript, no build step. Embed with one tag:
 *   <script src="https://ASSISTANT/webhooks/widget/widget.js" data-server="https://ASSISTANT"
 *           data-lang="en|hi" data-token="PORTAL_IDENTITY_TOKEN" defer></script>
 * or set window.SahayakConfig = {server, lang, token} before it loads (a token set there is read
 * again for every message, so the portal can refresh it).
 */
(function () {
  "use strict";

  if (window.__sahayakWidget) return;
  window.__sahayakWidget = true;

  var STRINGS = {
    en: {
      launcher: "Help",
      launcherLabel: "Open Karmayogi Sahayak, the help assistant",
      unread: function (n) {
        return n === 1 ? "1 new message" : n + " new messages";
      },
      title: "Karmayogi Sahayak",
      subtitle: "iGOT Karmayogi help",
      close: "Close chat",
      restart: "New conversation",
      restartAsk: "Start a new conversation? This one will be cleared from the panel.",
      restartYes: "Start new",
      restartNo: "Cancel",
      references: "Your references:",
      waiting: "Waiting for a person from the helpdesk. They will reply here.",
      waitingRef: "Waiting for a person from the helpdesk (reference {reference}). They will reply here.",
      log: "Conversation",
      you: "You said:",
      bot: "Sahayak said:",
      choices: "Choose a reply",
      inputLabel: "Your message",
      placeholder: "Type your question…",
      send: "Send",
      typing: "Sahayak is typing…",
      connecting: "Connecting…",
      reconnecting: "Connection lost. Reconnecting…",
      queued: "Waiting to send",
      failed: "The help assistant could not be loaded. Please try again later.",
      unreachable:
        "The help assistant cannot be reached at the moment. What you write is kept and sent when the " +
        "connection is back. If it is urgent, write to {email} or use \"Help\" on the portal.",
      newTab: "(opens in a new tab)"
    },
    hi: {
      launcher: "सहायता",
      launcherLabel: "कर्मयोगी सहायक खोलें",
      unread: function (n) {
        return n === 1 ? "1 नया संदेश" : n + " नए संदेश";
      },
      title: "कर्मयोगी सहायक",
      subtitle: "iGOT कर्मयोगी सहायता",
      close: "चैट बंद करें",
      restart: "नई बातचीत",
      restartAsk: "नई बातचीत शुरू करें? यह बातचीत पैनल से हट जाएगी।",
      restartYes: "नई शुरू करें",
      restartNo: "रद्द करें",
      references: "आपके संदर्भ नंबर:",
      waiting: "हेल्पडेस्क के किसी व्यक्ति की प्रतीक्षा है। वे यहीं जवाब देंगे।",
      waitingRef: "हेल्पडेस्क के किसी व्यक्ति की प्रतीक्षा है (संदर्भ {reference})। वे यहीं जवाब देंगे।",
      log: "बातचीत",
      you: "आपने लिखा:",
      bot: "सहायक ने लिखा:",
      choices: "एक जवाब चुनें",
      inputLabel: "आपका संदेश",
      placeholder: "अपना सवाल लिखें…",
      send: "भेजें",
      typing: "सहायक लिख रहा है…",
      connecting: "जुड़ रहा है…",
      reconnecting: "कनेक्शन टूट गया। फिर से जोड़ रहे हैं…",
      queued: "भेजने की प्रतीक्षा में",
      failed: "सहायक लोड नहीं हो सका। कृपया थोड़ी देर बाद फिर कोशिश करें।",
      unreachable:
        "अभी सहायक से जुड़ नहीं पा रहे हैं। आप जो लिखेंगे वह रखा रहेगा और कनेक्शन लौटते ही भेजा जाएगा। " +
        "जल्दी हो तो {email} पर लिखें या पोर्टल पर \"Help\" देखें।",
      newTab: "(नए टैब में खुलता है)"
    }
  };
  // The first message of a new conversation, sent for the user so the bot greets with its topic buttons.
  var GREETING = { en: "/greet", hi: "नमस्ते" };
  // Unreachable this long, the panel stops only saying "reconnecting" and names another way to get help.
  var OFFLINE_HELP_MS = 15000;
  var MAX_ENTRIES = 200;
  var TYPING_TIMEOUT_MS = 30000;

  // ---------------------------------------------------------------------------------------------
  // Configuration: window.SahayakConfig, then the script tag's data attributes, then the page.

  var script =
    document.currentScript ||
    document.querySelector("script[src*='/webhooks/widget/widget.js']") ||
    document.querySelector("script[src$='widget.js']");
  var data = (script && script.dataset) || {};
  var config = window.SahayakConfig || {};
  var scriptUrl = new URL(script ? script.src : "widget.js", document.baseURI);
  var assetBase = scriptUrl.href.replace(/[^/]*$/, "");
  var serverUrl = new URL(config.server || data.server || scriptUrl.origin, document.baseURI);
  var serverPath = serverUrl.pathname.replace(/\/+$/, "");
  var lang = pickLanguage(config.lang || data.lang || document.documentElement.lang || navigator.language);
  var t = STRINGS[lang];
  var storeKey = "sahayak:" + serverUrl.origin + serverPath;
  var helpdeskEmail = String(config.helpdeskEmail || data.helpdeskEmail || "support-igot@gov.in");

  function pickLanguage(value) {
    return String(value || "").toLowerCase().indexOf("hi") === 0 ? "hi" : "en";
  }

  function currentToken() {
    var live = window.SahayakConfig && window.SahayakConfig.token;
    var token = live || data.token || "";
    return typeof token === "string" ? token.trim() : "";
  }

  // Whose conversation this is: the employee the token names, or "" when nobody is signed in. When it
  // changes (another person signs in on this browser, or the person signs out) a new conversation starts,
  // so nobody continues a chat that was linked to someone else's records.
  function ownerOf(token) {
    if (!token) return "";
    try {
      var part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      var bytes = Uint8Array.from(atob(part), function (c) {
        return c.charCodeAt(0);
      });
      var claims = JSON.parse(new TextDecoder().decode(bytes));
      var who = claims.employee_id != null ? claims.employee_id : claims.sub;
      return who != null ? "employee:" + String(who) : "signed-in";
    } catch (error) {
      return "signed-in";
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Storage: the conversation id (localStorage, so it survives reloads and new tabs) and this tab's
  // transcript (sessionStorage: it survives reloads but leaves no personal data behind on a shared
  // computer once the tab is closed). Both fail soft when storage is unavailable.

  function load(storage, key, fallback) {
    try {
      var raw = window[storage].getItem(storeKey + ":" + key);
      return raw == null ? fallback : JSON.parse(raw);
    } catch (error) {
      return fallback;
    }
  }

  function save(storage, key, value) {
    try {
      if (value == null) window[storage].removeItem(storeKey + ":" + key);
      else window[storage].setItem(storeKey + ":" + key, JSON.stringify(value));
    } catch (error) {
      /* storage full or disabled: the widget still works for this page view */
    }
  }

  var state = {
    sessionId: load("localStorage", "session", null),
    owner: load("localStorage", "owner", ""),
    entries: load("sessionStorage", "transcript", []),
    // Reference numbers the bot gave (a filed request, a hand-over): kept over a new conversation.
    references: load("localStorage", "references", []),
    open: load("sessionStorage", "open", false),
    ready: false,
    greeting: false,
    syncing: false, // asking the other tabs for the transcript
    restarting: false, // a new conversation asked for, its id not yet known
    unread: 0
  };
  if (!Array.isArray(state.entries)) state.entries = [];
  if (!Array.isArray(state.references)) state.references = [];
  // The language the conversation was last in, in this tab, over the page's.
  var spoken = load("sessionStorage", "lang", null);
  if (spoken === "en" || spoken === "hi") {
    lang = spoken;
    t = STRINGS[lang];
  }
  if (state.owner !== ownerOf(currentToken())) {
    startOver();
    state.references = []; // they were another person's
    save("localStorage", "references", []);
  }

  function startOver() {
    state.sessionId = null;
    state.owner = ownerOf(currentToken());
    state.entries = [];
    save("localStorage", "session", null);
    save("localStorage", "owner", state.owner);
    save("sessionStorage", "transcript", []);
  }

  function persist() {
    if (state.entries.length > MAX_ENTRIES) state.entries = state.entries.slice(-MAX_ENTRIES);
    save("sessionStorage", "transcript", state.entries);
  }

  // ---------------------------------------------------------------------------------------------
  // DOM, inside a shadow root so the portal's styles and ours leave each other alone.

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === false || value == null) return;
      if (name === "text") node.textContent = value;
      else if (name === "className") node.className = value;
      else node.setAttribute(name, value === true ? "" : value);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  var host = el("div", { id: "sahayak-widget" });
  var shadow = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var stylesheet = el("link", { rel: "stylesheet", href: assetBase + "widget.css" });
  var root = el("div", { className: "sahayak", lang: lang, style: "visibility:hidden" });

  var unreadDot = el("span", { className: "unread", hidden: true, "aria-hidden": "true" });
  var launcherText = document.createTextNode(t.launcher);
  var launcher = el(
    "button",
    {
      type: "button",
      className: "launcher",
      "aria-label": t.launcherLabel,
      "aria-expanded": "false",
      "aria-controls": "sahayak-panel"
    },
    [el("span", { className: "launcher-icon", "aria-hidden": "true", text: "?" }), launcherText, unreadDot]
  );
  var restartButton = el("button", { type: "button", className: "restart", text: t.restart });
  var confirmText = el("span", { text: t.restartAsk });
  var confirmYes = el("button", { type: "button", className: "confirm-yes", text: t.restartYes });
  var confirmNo = el("button", { type: "button", className: "confirm-no", text: t.restartNo });
  var confirmBar = el("div", { className: "confirm", role: "group", hidden: true }, [
    confirmText,
    el("span", { className: "confirm-actions" }, [confirmYes, confirmNo])
  ]);
  var referencesLine = el("p", { className: "references", hidden: true });
  var waitingLine = el("p", { className: "handoff", hidden: true });
  var closeButton = el("button", { type: "button", className: "close", "aria-label": t.close }, [
    el("span", { "aria-hidden": "true", text: "×" })
  ]);
  var status = el("p", { className: "status", role: "status", hidden: true });
  var log = el("ol", { className: "log", "aria-label": t.log, tabindex: "-1" });
  var announcer = el("div", {
    className: "visually-hidden announcer",
    "aria-live": "polite",
    "aria-atomic": "false",
    "data-testid": "sahayak-announcer"
  });
  var typingLabel = el("span", { className: "visually-hidden", text: t.typing });
  var typing = el("p", { className: "typing", hidden: true }, [
    el("span", { className: "dots", "aria-hidden": "true" }, [el("span"), el("span"), el("span")]),
    typingLabel
  ]);
  var input = el("input", {
    id: "sahayak-input",
    type: "text",
    autocomplete: "off",
    placeholder: t.placeholder
  });
  var sendButton = el("button", { type: "submit", className: "send", text: t.send });
  var inputLabel = el("label", { for: "sahayak-input", className: "visually-hidden", text: t.inputLabel });
  var composer = el("form", { className: "composer" }, [inputLabel, input, sendButton]);
  var title = el("h2", { id: "sahayak-title", text: t.title });
  var subtitle = el("p", { className: "subtitle", text: t.subtitle });
  var panel = el(
    "section",
    {
      id: "sahayak-panel",
      className: "panel",
      role: "dialog",
      "aria-modal": "false",
      "aria-labelledby": "sahayak-title",
      hidden: true
    },
    [
      el("header", { className: "header" }, [
        el("div", { className: "heading" }, [title, subtitle, restartButton]),
        closeButton
      ]),
      confirmBar,
      status,
      referencesLine,
      waitingLine,
      log,
      typing,
      composer
    ]
  );
  root.appendChild(launcher);
  root.appendChild(panel);
  root.appendChild(announcer);
  shadow.appendChild(stylesheet);
  shadow.appendChild(root);
  function reveal() {
    root.style.visibility = "";
    place(); // the log has its height only now: show the latest reply
  }
  stylesheet.addEventListener("load", reveal);
  stylesheet.addEventListener("error", reveal);

  // ---------------------------------------------------------------------------------------------
  // Rendering messages. Text is never parsed as HTML: it becomes text nodes, and web addresses links.

  var URL_PATTERN =
    /\b(?:https?:\/\/[^\s<>"]+|www\.[^\s<>"]+|(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:gov\.in|nic\.in|org\.in|co\.in|in|org|com)(?:\/[^\s<>"]*)?)/gi;

  function safeHref(value) {
    try {
      var url = new URL(value, document.baseURI);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function linkNode(href, label) {
    return el("a", { href: href, target: "_blank", rel: "noopener noreferrer" }, [
      label,
      el("span", { className: "visually-hidden", text: " " + t.newTab })
    ]);
  }

  var EMAIL_PATTERN = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;
  var ADDRESS_PATTERN = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

  // The bot's web addresses open in a new tab and its e-mail addresses in the mail program; an order
  // number ("No. T-28/27/2025-iGOT") is kept on one line.
  function appendLinkified(parent, text) {
    var found = [];
    text.replace(ADDRESS_PATTERN, function (match, offset) {
      found.push({ start: offset, end: offset + match.length, node: mailNode(match) });
      return match;
    });
    text.replace(URL_PATTERN, function (match, offset) {
      var before = offset > 0 ? text.charAt(offset - 1) : "";
      if (before === "@" || before === "." || before === "/") return match; // e-mail domains, paths
      var url = match.replace(/[.,;:!?)\]'"।]+$/, "");
      var overlaps = found.some(function (f) {
        return offset < f.end && offset + url.length > f.start;
      });
      var href = safeHref(/^https?:\/\//i.test(url) ? url : "https://" + url);
      if (!href || overlaps) return match;
      found.push({ start: offset, end: offset + url.length, node: linkNode(href, url) });
      return match;
    });
    found.sort(function (a, b) {
      return a.start - b.start;
    });
    var last = 0;
    found.forEach(function (f) {
      appendUnbroken(parent, text.slice(last, f.start));
      parent.appendChild(f.node);
      last = f.end;
    });
    appendUnbroken(parent, text.slice(last));
  }

  // "No. T-28/27/2025-iGOT", "F.10(457)/Coord./Misc.": a capital, then parts joined by two or more slashes.
  var ORDER_NUMBER = /(?:\bNo\.\s)?\b[A-Z][\w.()-]*(?:\/[\w.()-]+){2,}/g;

  function appendUnbroken(parent, text) {
    var last = 0;
    text.replace(ORDER_NUMBER, function (match, offset) {
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      parent.appendChild(el("span", { className: "nowrap", text: match }));
      last = offset + match.length;
      return match;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function mailNode(address) {
    if (!EMAIL_PATTERN.test(address)) return document.createTextNode(address);
    return el("a", { href: "mailto:" + address, className: "mail" }, [address]);
  }

  // ---------------------------------------------------------------------------------------------
  // Cards: a structured reply (progress, a certificate, a filed request) drawn as one card. The same
  // message's text, which other channels show, is what the screen reader announces.

  var TONES = { good: true, warn: true, bad: true };
  var SHORT_DETAIL = 12; // "40%", "31.03.2026": beside the item; longer, under it

  function isText(value) {
    return typeof value === "string" && value.length > 0;
  }

  function isCard(card) {
    if (!card || typeof card !== "object" || !isText(card.kind) || !isText(card.title)) return false;
    var meter = card.meter;
    if (meter && !(isText(meter.label) && meter.max > 0 && meter.value >= 0 && meter.value <= meter.max)) {
      return false;
    }
    var facts = card.facts || [];
    var sections = card.sections || [];
    return (
      Array.isArray(facts) &&
      facts.every(function (f) {
        return f && isText(f.label) && isText(f.value);
      }) &&
      Array.isArray(sections) &&
      sections.every(function (section) {
        return (
          section &&
          isText(section.title) &&
          Array.isArray(section.items) &&
          section.items.every(function (i) {
            return i && isText(i.text);
          })
        );
      })
    );
  }

  function tone(value) {
    return TONES[value] ? " tone-" + value : "";
  }

  function renderCard(card) {
    var box = el("div", { className: "card card-" + card.kind.replace(/[^a-z]/g, "") });
    box.appendChild(el("h3", { className: "card-title", text: card.title }));
    if (card.meter) {
      box.appendChild(el("p", { className: "meter-label", "aria-hidden": "true", text: card.meter.label }));
      box.appendChild(
        el("progress", { max: String(card.meter.max), value: String(card.meter.value), "aria-label": card.meter.label })
      );
    }
    if (card.facts && card.facts.length) {
      var facts = el("dl", { className: "facts" });
      card.facts.forEach(function (fact) {
        facts.appendChild(el("dt", { text: fact.label }));
        var value = el("dd", { className: tone(fact.tone).trim() });
        if (fact.unbroken) value.appendChild(el("span", { className: "nowrap", text: fact.value }));
        else appendLinkified(value, fact.value);
        facts.appendChild(value);
      });
      box.appendChild(facts);
    }
    if (isText(card.note)) {
      var note = el("p", { className: "card-note" + tone(card.tone) });
      appendLinkified(note, card.note);
      box.appendChild(note);
    }
    (card.sections || []).forEach(function (section) {
      box.appendChild(el("h4", { text: section.title }));
      var list = el("ul", { className: "card-list" });
      section.items.forEach(function (entry) {
        var href = isText(entry.url) ? safeHref(entry.url) : null;
        var row = el("li", {}, [href ? linkNode(href, entry.text) : el("span", { text: entry.text })]);
        if (isText(entry.detail)) {
          var below = entry.detail.length > SHORT_DETAIL ? " below" : "";
          row.appendChild(el("span", { className: "detail" + below, text: entry.detail }));
        }
        list.appendChild(row);
      });
      box.appendChild(list);
    });
    return box;
  }

  function activeFrom() {
    // Buttons stay usable only on the bot's messages after the user's latest message.
    for (var i = state.entries.length - 1; i >= 0; i--) if (state.entries[i].from === "user") return i + 1;
    return 0;
  }

  function renderEntry(entry, index, active, offered) {
    var latest = entry.from === "bot" && index >= active ? " latest" : ""; // replies to the last message
    var item = el("li", { className: "message " + entry.from + latest + (entry.pending ? " pending" : "") });
    item.appendChild(el("span", { className: "visually-hidden", text: entry.from === "user" ? t.you : t.bot }));
    if (entry.card && isCard(entry.card)) {
      item.appendChild(renderCard(entry.card));
    } else if (entry.text) {
      var bubble = el("p", { className: "bubble" });
      // What the user typed is shown as typed: "my id is ravi.kumar@nic.in" is no link to follow.
      if (entry.from === "bot") appendLinkified(bubble, entry.text);
      else bubble.textContent = entry.text;
      item.appendChild(bubble);
    }
    if (entry.image && safeHref(entry.image)) {
      item.appendChild(el("img", { className: "image", src: safeHref(entry.image), alt: "" }));
    }
    if (entry.pending) item.appendChild(el("span", { className: "note", text: t.queued }));
    // Choices of an earlier reply are gone: the choice made stands in the transcript as the user's
    // message, and the old ones would only clutter the panel. Links stay usable.
    // Within one reply, an offer already made by an earlier message ("Request a missing organisation",
    // then "Organisation missing" for the same request) is shown once.
    var buttons = (entry.buttons || []).filter(function (button) {
      if (button.url) return true;
      if (index < active || offered[button.payload]) return false;
      offered[button.payload] = true;
      return true;
    });
    if (buttons.length) {
      var group = el("div", { className: "choices", role: "group", "aria-label": t.choices });
      buttons.forEach(function (button) {
        var href = button.url ? safeHref(button.url) : null;
        if (href) {
          var link = linkNode(href, button.title);
          link.className = "choice link";
          group.appendChild(link);
        } else if (button.payload) {
          var choice = el("button", { type: "button", className: "choice", text: button.title });
          choice.addEventListener("click", function (event) {
            send(button.payload, button.title, event.pointerType);
          });
          group.appendChild(choice);
        }
      });
      item.appendChild(group);
    }
    return item;
  }

  // ---------------------------------------------------------------------------------------------
  // Waiting for a person. The bot marks its hand-over messages (custom "handoff": "waiting"), and the
  // helpdesk console its own when an agent joins or the conversation goes back to the assistant
  // ("joined", "ended"). The latest mark in the transcript decides, so every tab and a reload agree.

  var HANDOFF = { waiting: true, joined: true, ended: true };

  function handoff() {
    for (var i = state.entries.length - 1; i >= 0; i--) {
      if (state.entries[i].handoff) return state.entries[i];
    }
    return null;
  }

  function showHandoff() {
    var latest = handoff();
    var waiting = !!latest && latest.handoff === "waiting";
    var reference = waiting ? (latest.text.match(REFERENCE) || [])[0] : null;
    waitingLine.hidden = !waiting;
    waitingLine.textContent = waiting ? (reference ? t.waitingRef.replace("{reference}", reference) : t.waiting) : "";
  }

  function render() {
    showHandoff();
    var active = activeFrom();
    var kept = log.scrollTop;
    var offered = {};
    log.textContent = "";
    state.entries.forEach(function (entry, index) {
      log.appendChild(renderEntry(entry, index, active, offered));
    });
    log.scrollTop = kept;
    place();
  }

  // ---------------------------------------------------------------------------------------------
  // Where the log is scrolled. A new reply opens at its first line, so a seven-step answer is read
  // from step 1; a short one shows whole at the bottom. New messages move the view only while the
  // user follows the conversation (at the bottom, or at the newest reply's start), never while they
  // read something earlier.

  var NEAR_PX = 24;
  var following = true;

  function newestReply() {
    var start = activeFrom();
    return start < state.entries.length ? log.children[start] : null;
  }

  function replyTop(item) {
    return Math.max(0, item.offsetTop - 8);
  }

  function place() {
    if (!following) return;
    var bottom = log.scrollHeight - log.clientHeight;
    var reply = newestReply();
    log.scrollTop = reply ? Math.min(bottom, replyTop(reply)) : bottom;
  }

  log.addEventListener("scroll", function () {
    var reply = newestReply();
    var atBottom = log.scrollHeight - log.scrollTop - log.clientHeight <= NEAR_PX;
    following = atBottom || (reply !== null && Math.abs(log.scrollTop - replyTop(reply)) <= NEAR_PX);
  });

  function announce(text) {
    announcer.appendChild(el("p", { text: t.bot + " " + text }));
    while (announcer.childNodes.length > 3) announcer.removeChild(announcer.firstChild);
  }

  // ---------------------------------------------------------------------------------------------
  // Connection: Rasa's Socket.IO channel. The Socket.IO client is ours (vendored), loaded next to
  // this file, and put back out of the page's way if the page has an `io` of its own.

  var socket = null;
  var typingTimer = null;

  function loadSocketIo(done) {
    var previous = window.io;
    var tag = el("script", { src: assetBase + "socket.io.min.js", async: true });
    tag.addEventListener("load", function () {
      var ours = window.io;
      if (previous === undefined) {
        try {
          delete window.io;
        } catch (error) {
          window.io = undefined;
        }
      } else window.io = previous;
      if (typeof ours === "function") done(ours);
      else showStatus(t.failed);
    });
    tag.addEventListener("error", function () {
      showStatus(t.failed);
    });
    document.head.appendChild(tag);
  }

  function connect() {
    if (socket) return;
    socket = "loading";
    showStatus(t.connecting);
    loadSocketIo(function (io) {
      socket = io(serverUrl.origin, {
        path: serverPath + "/socket.io",
        transports: ["websocket", "polling"],
        tryAllTransports: true,
        reconnection: true,
        reconnectionDelay: 500,
        reconnectionDelayMax: 5000
      });
      socket.on("connect", function () {
        state.ready = false;
        socket.emit("session_request", { session_id: state.sessionId });
      });
      socket.on("session_confirm", onSessionConfirm);
      socket.on("bot_uttered", onBotMessage);
      socket.on("disconnect", onConnectionLost);
      socket.on("connect_error", onConnectionLost);
    });
  }

  function onSessionConfirm(sessionId) {
    if (typeof sessionId !== "string" || !sessionId) return;
    if (state.sessionId && sessionId !== state.sessionId) {
      // The server started another conversation; what this tab shows belongs to the old one.
      state.entries = [];
      persist();
      render();
    }
    state.sessionId = sessionId;
    save("localStorage", "session", sessionId);
    state.ready = true;
    if (state.restarting) {
      state.restarting = false;
      tell({ type: "restarted", session: sessionId });
    }
    hideStatus();
    flush();
    greetIfNew();
  }

  function onConnectionLost() {
    state.ready = false;
    if (socket && socket !== "loading" && socket.connected) return;
    showStatus(t.reconnecting);
  }

  function onBotMessage(message) {
    if (!message || typeof message !== "object") return;
    var entry = { from: "bot", text: typeof message.text === "string" ? message.text : "" };
    if (Array.isArray(message.buttons)) {
      entry.buttons = message.buttons
        .filter(function (b) {
          return b && typeof b.title === "string" && (typeof b.payload === "string" || typeof b.url === "string");
        })
        .map(function (b) {
          return b.url ? { title: b.title, url: b.url } : { title: b.title, payload: b.payload };
        });
    }
    if (typeof message.image === "string") entry.image = message.image;
    if (message.custom && isCard(message.custom.card)) entry.card = message.custom.card;
    if (message.custom && HANDOFF[message.custom.handoff] === true) entry.handoff = message.custom.handoff;
    if (!entry.text && !(entry.buttons && entry.buttons.length) && !entry.image) return;
    expectInput(message.custom && message.custom.input);
    state.entries.push(entry);
    persist();
    if (entry.text) {
      relabel(languageOf(entry.text));
      keepReferences(entry.text);
    }
    render();
    setTyping(false);
    if (entry.text) announce(entry.text);
    if (panel.hidden) {
      state.unread += 1;
      showUnread();
    }
  }

  var REFERENCE = /\b(?:ORG|ESC)-[2-9A-HJ-NP-TV-Z]{6}\b/g;
  var MAX_REFERENCES = 5;

  function keepReferences(text) {
    var found = text.match(REFERENCE) || [];
    if (!found.length) return;
    found.forEach(function (reference) {
      state.references = state.references.filter(function (kept) {
        return kept !== reference;
      });
      state.references.push(reference);
    });
    state.references = state.references.slice(-MAX_REFERENCES);
    save("localStorage", "references", state.references);
    showReferences();
  }

  function showReferences() {
    referencesLine.hidden = !state.references.length;
    referencesLine.textContent = state.references.length
      ? t.references + " " + state.references.join(", ")
      : "";
  }

  // The bot says what its question expects ("tel" for a mobile number, "numeric" for the e-mailed
  // code, "email"), so that a phone brings up the right keyboard; anything else is plain text.
  var INPUT_MODES = { tel: "tel", numeric: "numeric", email: "email" };
  var AUTOCOMPLETE = { tel: "tel-national", numeric: "one-time-code", email: "email" };

  function expectInput(kind) {
    var mode = Object.prototype.hasOwnProperty.call(INPUT_MODES, kind) ? INPUT_MODES[kind] : null;
    if (mode) {
      input.setAttribute("inputmode", mode);
      input.setAttribute("autocomplete", AUTOCOMPLETE[kind]);
    } else {
      input.removeAttribute("inputmode");
      input.setAttribute("autocomplete", "off");
    }
  }

  function showUnread() {
    unreadDot.hidden = state.unread === 0;
    unreadDot.textContent = state.unread > 9 ? "9+" : String(state.unread);
    launcher.setAttribute(
      "aria-label",
      state.unread ? t.launcherLabel + " (" + t.unread(state.unread) + ")" : t.launcherLabel
    );
  }

  // The widget's own words follow the conversation: a reply mostly in Devanagari switches them to
  // Hindi, one in Latin letters (English or romanised Hindi) to English.
  function languageOf(text) {
    var devanagari = (text.match(/[\u0900-\u097f]/g) || []).length;
    var latin = (text.match(/[A-Za-z]/g) || []).length;
    return devanagari > latin ? "hi" : "en";
  }

  function relabel(language) {
    if (language === lang) return;
    lang = language;
    t = STRINGS[lang];
    save("sessionStorage", "lang", lang);
    root.setAttribute("lang", lang);
    launcherText.textContent = t.launcher;
    restartButton.textContent = t.restart;
    confirmText.textContent = t.restartAsk;
    confirmYes.textContent = t.restartYes;
    confirmNo.textContent = t.restartNo;
    showReferences();
    showHandoff();
    closeButton.setAttribute("aria-label", t.close);
    log.setAttribute("aria-label", t.log);
    typingLabel.textContent = t.typing;
    inputLabel.textContent = t.inputLabel;
    input.setAttribute("placeholder", t.placeholder);
    sendButton.textContent = t.send;
    title.textContent = t.title;
    subtitle.textContent = t.subtitle;
    showUnread();
  }

  function emit(entry) {
    var token = currentToken();
    socket.emit("user_uttered", {
      message: entry.payload || entry.text,
      session_id: state.sessionId,
      customData: token ? { portal_token: token } : {}
    });
  }

  function flush() {
    var changed = false;
    state.entries.forEach(function (entry) {
      if (entry.pending && state.ready) {
        emit(entry);
        delete entry.pending;
        changed = true;
      }
    });
    if (changed) {
      persist();
      render();
      setTyping(true);
    }
  }

  function greetIfNew() {
    if (state.entries.length || state.greeting || state.syncing || panel.hidden || !state.ready) return;
    state.greeting = true;
    emit({ text: GREETING[lang] });
    setTyping(true);
  }

  // Sends a message: `text` typed, or a button's `payload` shown as its `title`; `pointer` is how a
  // button was pressed ("touch" on a phone).
  function send(payload, title, pointer) {
    var entry = { from: "user", text: title || payload };
    if (title) entry.payload = payload;
    if (state.ready) emit(entry);
    else {
      entry.pending = true;
      connect();
    }
    state.entries.push(entry);
    persist();
    if (state.sessionId) tell({ type: "wrote", session: state.sessionId, text: entry.text });
    following = true; // who writes follows the conversation again
    render();
    if (state.ready) setTyping(true);
    // A clicked choice is gone now: keep a keyboard or mouse user in the conversation, but do not
    // raise a phone's keyboard over half the panel after a tap.
    if (pointer !== "touch") input.focus();
  }

  function setTyping(on) {
    clearTimeout(typingTimer);
    typing.hidden = !on;
    if (on) {
      typingTimer = setTimeout(function () {
        typing.hidden = true; // a paused conversation (waiting for the helpdesk) sends nothing back
      }, TYPING_TIMEOUT_MS);
      place();
    }
  }

  var offlineTimer = null;

  function showStatus(text) {
    status.textContent = text;
    status.hidden = false;
    launcher.classList.add("offline");
    if (text === t.failed) showOfflineHelp();
    else if (!offlineTimer) offlineTimer = setTimeout(showOfflineHelp, OFFLINE_HELP_MS);
  }

  function showOfflineHelp() {
    offlineTimer = null;
    if (status.hidden) return;
    var parts = t.unreachable.split("{email}");
    status.textContent = "";
    if (parts.length === 2) {
      status.appendChild(document.createTextNode(parts[0]));
      status.appendChild(mailNode(helpdeskEmail));
      status.appendChild(document.createTextNode(parts[1]));
    } else status.textContent = t.unreachable;
  }

  function hideStatus() {
    clearTimeout(offlineTimer);
    offlineTimer = null;
    status.hidden = true;
    status.textContent = "";
    launcher.classList.remove("offline");
  }

  // navigator.onLine false is certain (true is not): stop retrying until the network is back, then
  // reconnect at once rather than after the back-off. Socket.IO's own retries cover everything else.
  window.addEventListener("offline", function () {
    if (!socket || socket === "loading") return;
    state.ready = false;
    socket.disconnect();
    showStatus(t.reconnecting);
  });
  window.addEventListener("online", function () {
    if (!socket || socket === "loading" || socket.connected) return;
    socket.disconnect();
    socket.connect();
  });

  // ---------------------------------------------------------------------------------------------
  // Opening, closing, keyboard.

  function openPanel(focus) {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    root.classList.add("open");
    state.unread = 0;
    showUnread();
    save("sessionStorage", "open", true);
    render();
    connect();
    greetIfNew();
    if (focus) input.focus();
  }

  function closePanel() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    root.classList.remove("open");
    save("sessionStorage", "open", false);
    launcher.focus();
  }

  launcher.addEventListener("click", function () {
    if (panel.hidden) openPanel(true);
    else closePanel();
  });
  closeButton.addEventListener("click", closePanel);
  restartButton.addEventListener("click", function () {
    confirmBar.hidden = false;
    restartButton.setAttribute("aria-expanded", "true");
    confirmNo.focus();
  });
  function closeConfirm() {
    confirmBar.hidden = true;
    restartButton.setAttribute("aria-expanded", "false");
  }
  confirmNo.addEventListener("click", function () {
    closeConfirm();
    restartButton.focus();
  });
  confirmYes.addEventListener("click", function (event) {
    closeConfirm();
    startOver();
    state.greeting = false;
    render();
    setTyping(false);
    if (socket && socket !== "loading" && socket.connected) {
      state.ready = false;
      state.restarting = true; // the other tabs follow once the server names the new conversation
      socket.emit("session_request", { session_id: null });
    }
    if (event.pointerType !== "touch") input.focus();
  });
  // Full screen (a phone, or a small window), the panel is all there is to see: Tab and Shift+Tab go
  // round inside it until it is closed, as in any modal dialog.
  var fullScreen = window.matchMedia ? window.matchMedia("(max-width: 480px), (max-height: 500px)") : null;

  function markModal() {
    panel.setAttribute("aria-modal", fullScreen && fullScreen.matches ? "true" : "false");
  }
  if (fullScreen) {
    markModal();
    if (fullScreen.addEventListener) fullScreen.addEventListener("change", markModal);
  }

  function focusable() {
    return Array.prototype.filter.call(
      panel.querySelectorAll("button, a[href], input, [tabindex='0']"),
      function (node) {
        return !node.disabled && node.getClientRects().length > 0;
      }
    );
  }

  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      closePanel();
      return;
    }
    if (event.key !== "Tab" || !fullScreen || !fullScreen.matches) return;
    var items = focusable();
    if (!items.length) return;
    var here = shadow.activeElement || document.activeElement;
    var first = items[0];
    var last = items[items.length - 1];
    if (event.shiftKey && here === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && here === last) {
      event.preventDefault();
      first.focus();
    }
  });
  composer.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    expectInput(null);
    send(text);
  });

  // ---------------------------------------------------------------------------------------------
  // Many tabs, one conversation. Every tab of this browser that shows the widget is in the
  // conversation's socket room and hears every reply; the tabs tell each other what the user wrote, a
  // new tab asks the others for the transcript instead of greeting again, and a new conversation
  // started in one tab is taken up by all. Same-origin tabs only (BroadcastChannel).

  var SYNC_WAIT_MS = 400;
  var tabs = typeof BroadcastChannel === "function" ? new BroadcastChannel(storeKey) : null;

  function tell(message) {
    if (tabs) tabs.postMessage(message);
  }

  function isEntry(entry) {
    return entry && (entry.from === "user" || entry.from === "bot") && typeof entry.text === "string";
  }

  if (tabs) {
    tabs.onmessage = function (event) {
      var message = event.data || {};
      if (message.type === "restarted" && typeof message.session === "string") {
        state.sessionId = message.session;
        state.entries = [];
        state.greeting = true; // the tab that started it greets
        persist();
        render();
        if (socket && socket !== "loading" && socket.connected) {
          state.ready = false;
          socket.emit("session_request", { session_id: message.session });
        }
        return;
      }
      if (!state.sessionId || message.session !== state.sessionId) return;
      if (message.type === "wrote" && typeof message.text === "string") {
        state.entries.push({ from: "user", text: message.text });
        persist();
        following = true;
        render();
      } else if (message.type === "ask" && state.entries.length) {
        tell({ type: "transcript", session: state.sessionId, entries: state.entries });
      } else if (message.type === "transcript" && !state.entries.length && Array.isArray(message.entries)) {
        state.entries = message.entries.filter(isEntry).map(function (entry) {
          return {
            from: entry.from,
            text: entry.text,
            buttons: entry.buttons,
            image: entry.image,
            card: entry.card,
            handoff: entry.handoff
          };
        });
        persist();
        render();
      }
    };
  }

  function start() {
    document.body.appendChild(host);
    showReferences();
    if (tabs && state.sessionId && !state.entries.length) {
      // A conversation this tab has not shown yet: another tab may have it.
      state.syncing = true;
      tell({ type: "ask", session: state.sessionId });
      setTimeout(function () {
        state.syncing = false;
        greetIfNew();
      }, SYNC_WAIT_MS);
    }
    render();
    // A conversation in progress reconnects at once, so a helpdesk agent's reply arrives on any page.
    if (state.sessionId || state.entries.length) connect();
    if (state.open) openPanel(false);
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
