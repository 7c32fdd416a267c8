// The consent dashboard, enhanced: every switch is a plain form that works without this file.
// With it, a switch posts in the background and only its row and the summary change, so the
// page stays where it is, focus stays on the control, and the live region reads the result.
(() => {
  const openTarget = () => {
    // A link to a setting inside a closed section opens that section.
    const id = decodeURIComponent(window.location.hash.slice(1));
    const target = id && document.getElementById(id);
    const section = target && (target.closest("details") || (target.matches("details") && target));
    if (section) section.open = true;
  };

  const update = (form, html) => {
    const page = new DOMParser().parseFromString(html, "text/html");
    const row = form.closest("[data-dashboard-row]");
    const fresh = row && page.getElementById(row.id);
    const live = document.querySelector("[data-dashboard-live]");
    const freshLive = page.querySelector("[data-dashboard-live]");
    if (!fresh || !live || !freshLive) return false;
    row.replaceWith(fresh);
    const summary = document.querySelector("[data-dashboard-summary]");
    const freshSummary = page.querySelector("[data-dashboard-summary]");
    if (summary && freshSummary) summary.replaceWith(freshSummary);
    // Emptied first, so that the same words twice in a row are read out again.
    live.replaceChildren();
    window.setTimeout(() => live.replaceChildren(...freshLive.childNodes), 50);
    const control = fresh.querySelector(".dash-control button, .dash-control a.button, [data-testid=row-confirmation]");
    if (control) control.focus({ preventScroll: true });
    return true;
  };

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("[data-dashboard-switch]")) return;
    if (!window.fetch || !window.DOMParser) return;
    event.preventDefault();
    const buttons = form.querySelectorAll("button");
    buttons.forEach((button) => { button.disabled = true; });
    try {
      const response = await fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" });
      if (response.ok && update(form, await response.text())) return;
      // Anything else (signed out meanwhile, a check to pass): show that page as a normal post would.
      window.location.assign(response.url);
    } catch (error) {
      buttons.forEach((button) => { button.disabled = false; });
      form.submit();
    }
  });

  window.addEventListener("hashchange", openTarget);
  document.addEventListener("DOMContentLoaded", openTarget);
})();
