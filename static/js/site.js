// Progressive enhancement only: every form works without this file.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-autosubmit]")) {
    const select = form.querySelector("select");
    const button = form.querySelector("button[type=submit]");
    if (!select || !button) continue;
    // With scripting, choosing a language is enough; the button stays for keyboard users' clarity.
    select.addEventListener("change", () => form.requestSubmit());
  }
  keepFocusClearOfCookieBanner(document.querySelector(".cookie-banner"));
  for (const summary of document.querySelectorAll("[data-error-summary]")) linkErrorSummary(summary);
  // The first form with problems is where the person has to look: its summary takes focus.
  document.querySelector("[data-error-summary]")?.focus();
  showBusinessFieldsOnlyForBusiness(document.querySelector("[data-business-fields]"));
});

// An error summary's links go to the fields. Following a fragment only scrolls; this also moves
// focus into the input and puts its label (or its group's legend) in view above it.
function linkErrorSummary(summary) {
  summary.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-field-link]");
    if (!link) return;
    const input = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!input) return;
    event.preventDefault();
    const legend = input.closest("fieldset")?.querySelector("legend");
    const label = legend || document.querySelector(`label[for="${CSS.escape(input.id)}"]`) || input;
    label.scrollIntoView({ block: "start" });
    input.focus({ preventScroll: true });
    history.replaceState(null, "", link.hash);
  });
}

// Sign-up: the business registration fields concern business accounts only. Without scripting
// they stay on the page with their note; with it they appear once "business" is chosen.
function showBusinessFieldsOnlyForBusiness(fieldset) {
  if (!fieldset) return;
  const form = fieldset.closest("form");
  const radios = form.querySelectorAll('input[type="radio"][name="kind"]');
  if (!radios.length) return;
  const update = () => {
    const chosen = form.querySelector('input[type="radio"][name="kind"]:checked');
    fieldset.hidden = !chosen || chosen.value !== "business";
  };
  for (const radio of radios) radio.addEventListener("change", update);
  update();
}

// The cookie banner sticks to the bottom of the window until a choice is made, so it may cover
// the field someone is filling in (WCAG 2.2, 2.4.11 Focus Not Obscured). small-screens.css turns
// --cookie-banner-height into scroll-padding, which the browser honours when it scrolls a focused
// element into view; without this script the stylesheet's estimate of the height is used. The
// focusin check covers focus moves the browser does not scroll for (the element is "in view",
// only under the banner).
function keepFocusClearOfCookieBanner(banner) {
  if (!banner) return;
  const root = document.documentElement;
  const isSticky = () => getComputedStyle(banner).position === "sticky";
  const measure = () => {
    root.style.setProperty("--cookie-banner-height", isSticky() ? `${banner.offsetHeight}px` : "0px");
  };
  measure();
  new ResizeObserver(measure).observe(banner);
  document.addEventListener("focusin", (event) => {
    if (!isSticky() || banner.contains(event.target)) return;
    const covered = event.target.getBoundingClientRect().bottom - banner.getBoundingClientRect().top;
    if (covered > 0) window.scrollBy(0, covered + 8);
  });
}
