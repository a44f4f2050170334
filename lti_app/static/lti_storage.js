/* LTI client-side OIDC (1EdTech lti-cs-oidc / lti-pm-s drafts): keep the login's
   state in the platform's storage through postMessage when the browser keeps no
   cookies for this iframe. Canvas answers from the frame named
   "post_message_forwarding"; others (and our demo LMS) from the parent window. */
window.ltiStorage = (function () {
  "use strict";
  function target(name) {
    try {
      if (name && name !== "_parent" && window.parent.frames[name]) {
        return window.parent.frames[name];
      }
    } catch (e) { /* cross-origin access to frames may throw: use the parent */ }
    return window.parent;
  }
  function send(subject, payload, targetName, origin, timeoutMs) {
    return new Promise(function (resolve, reject) {
      var id = "kd-" + Math.random().toString(36).slice(2) + Date.now();
      var timer = setTimeout(function () {
        window.removeEventListener("message", onMessage);
        reject(new Error("no answer from the platform"));
      }, timeoutMs || 2500);
      function onMessage(event) {
        if (event.origin !== origin) { return; }
        var data = event.data || {};
        if (data.subject !== subject + ".response" || data.message_id !== id) { return; }
        clearTimeout(timer);
        window.removeEventListener("message", onMessage);
        if (data.error) { reject(data.error); } else { resolve(data); }
      }
      window.addEventListener("message", onMessage);
      var message = {subject: subject, message_id: id};
      for (var k in payload) { message[k] = payload[k]; }
      target(targetName).postMessage(message, origin);
    });
  }
  return {
    put: function (key, value, targetName, origin) {
      return send("lti.put_data", {key: key, value: value}, targetName, origin);
    },
    get: function (key, targetName, origin) {
      return send("lti.get_data", {key: key}, targetName, origin);
    }
  };
})();
