"""Helpers of the browser tests (what a user does, what a page got wrong)."""

from __future__ import annotations


class PageProblems:
    """JavaScript errors, Content-Security-Policy refusals (an inline script or handler the
    CSP blocked) and failed same-origin requests seen by a page."""

    def __init__(self, page, origin: str):
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(f"JS: {exc}"))
        page.on("console", self._console)
        page.on("response", lambda r: self._response(r, origin))

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.errors.append(f"CSP: {message.text}")

    def _response(self, response, origin: str) -> None:
        if response.url.startswith(origin) and response.status >= 400:
            self.errors.append(f"HTTP {response.status}: {response.url}")


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = [", ".join(node["target"]) for node in v["nodes"][:5]]
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} nodes) "
                     f"e.g. {targets}")
    return "\n".join(lines)


def log_in(page, base_url: str, username: str, password: str) -> None:
    """Through the login form, as a user would."""
    page.goto(f"{base_url}/login/")
    form = page.locator("form[name=login]")
    form.locator("[name=username]").fill(username)
    form.locator("[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("[type=submit]").click()
