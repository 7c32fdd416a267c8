// Progressive enhancement only: every form works without this file.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-autosubmit]")) {
    const select = form.querySelector("select");
    const button = form.querySelector("button[type=submit]");
    if (!select || !button) continue;
    // With scripting, choosing a language is enough; the button stays for keyboard users' clarity.
    select.addEventListener("change", () => form.requestSubmit());
  }
});
