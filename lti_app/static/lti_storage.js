/* LTI client-side OIDC (1EdTech lti-cs-oidc / lti-pm-s drafts): keep the login's
   state in the platform's storage through postMessage when the browser keeps no
   cookies for this iframe.

   Where the messages go (Canvas's documentation, CANVAS-NOTES.md (b)):
   - to window.parent.frames[lti_storage_target] ("post_message_forwarding" in
     Canvas) with targetOrigin = the platform's OIDC auth origin; answers are
     accepted only from that frame and that origin ("verified");
   - lti_storage_target "_parent" (our demo LMS and others): window.parent, with
     the same origin rule ("verified");
   - where the named frame is missing (Canvas's rich content editor): Canvas's
     fallback, window.parent with "*". The answer then comes from the parent page
     itself, whose origin (the customer's own domain) the tool cannot know, so it
     is accepted from window.parent only, any origin, and reported as not
     verified: the server then asks the person to confirm who they are.
   Every answer resolves to {data, verified}. */
window.ltiStorage = (function () {
  "use strict";
  function route(name, origin) {
    if (window.parent === window) { return null; }  // top level: no platform here
    if (name && name !== "_parent") {
      try {
        if (window.parent.frames[name]) {
          return {win: window.parent.frames[name], origin: origin, verified: true};
        }
      } catch (e) { /* cross-origin access to frames may throw: the fallback */ }
      return {win: window.parent, origin: "*", verified: false};
    }
    return {win: window.parent, origin: origin, verified: true};
  }
  function send(subject, payload, targetName, origin, timeoutMs) {
    return new Promise(function (resolve, reject) {
      var to = route(targetName, origin);
      if (!to) { reject(new Error("no platform around this page")); return; }
      var id = "kd-" + Math.random().toString(36).slice(2) + Date.now();
      var timer = setTimeout(function () {
        window.removeEventListener("message", onMessage);
        reject(new Error("no answer from the platform"));
      }, timeoutMs || 2500);
      function onMessage(event) {
        if (event.source !== to.win) { return; }
        if (to.verified && event.origin !== origin) { return; }
        var data = event.data;
        if (typeof data === "string") {  // Canvas accepts and may send JSON strings
          try { data = JSON.parse(data); } catch (e) { return; }
        }
        data = data || {};
        if ((data.subject || data.messageType) !== subject + ".response" ||
            data.message_id !== id) { return; }
        clearTimeout(timer);
        window.removeEventListener("message", onMessage);
        if (data.error) { reject(data.error); } else { resolve({data: data, verified: to.verified}); }
      }
      window.addEventListener("message", onMessage);
      var message = {subject: subject, message_id: id};
      for (var k in payload) { message[k] = payload[k]; }
      to.win.postMessage(message, to.origin);
    });
  }
  return {
    put: function (key, value, targetName, origin) {
      return send("lti.put_data", {key: key, value: value}, targetName, origin);
    },
    get: function (key, targetName, origin) {
      return send("lti.get_data", {key: key}, targetName, origin);
    },
    // An empty value deletes the key (Canvas: lti.put_data with value null). A
    // platform keeps at most 4096 characters per tool: a state left behind on
    // every launch would fill it after about 40 launches.
    remove: function (key, targetName, origin, timeoutMs) {
      return send("lti.put_data", {key: key, value: null}, targetName, origin, timeoutMs);
    }
  };
})();
