// Anonymous page-view count, first-party only.
// The server includes this script only after the visitor accepted analytics
// cookies and while the browser sends no Global Privacy Control signal
// (templates/consents/banners/cookies.html). It sends no identifier and no
// address: the endpoint adds one to today's total and nothing else.
(() => {
  const script = document.currentScript;
  const endpoint = script && script.dataset.endpoint;
  // Every page has a form with Django's CSRF token (the language switch).
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (!endpoint || !token) return;
  fetch(endpoint, {
    method: "POST",
    credentials: "same-origin",
    keepalive: true,
    headers: { "X-CSRFToken": token.value },
  }).catch(() => {
    // Counting is best effort; the page never depends on it.
  });
})();
