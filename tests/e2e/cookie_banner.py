"""Whether the sticky cookie banner hides the field a person is filling in, found by tabbing through a form."""

from playwright.sync_api import Page

# How many pixels of the focused element the banner covers (0 when none, or when it is off screen).
FOCUS_HIDDEN = """() => {
  const banner = document.querySelector('[data-testid=cookie-banner]');
  const field = document.activeElement.getBoundingClientRect();
  const top = banner.getBoundingClientRect().top;
  return field.bottom > top && field.top < window.innerHeight ? field.bottom - top : 0;
}"""


def fields_under_the_banner(page: Page) -> list[tuple[str, float]]:
    """Tab from the heading through the page's first form; each focused field the banner covers, with the px covered."""
    fields = page.locator("main form").first.locator("input:visible, select:visible, textarea:visible")
    hidden = []
    page.locator("main h1").click()
    for _ in range(fields.count() + 10):
        page.keyboard.press("Tab")
        if page.evaluate("() => !!document.activeElement.closest('[data-testid=cookie-banner]')"):
            break
        if overlap := page.evaluate(FOCUS_HIDDEN):
            hidden.append((page.evaluate("() => document.activeElement.name || document.activeElement.id"), overlap))
    return hidden
