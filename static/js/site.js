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
});

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
