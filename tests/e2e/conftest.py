"""Browser tests: Playwright drives Debian's /usr/bin/chromium against pytest-django's live server."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
SHOTS = os.path.join(os.path.dirname(__file__), "..", "..", "shots")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-US", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def e2e_world(transactional_db):
    from tests.conftest import build_world

    return build_world()


@pytest.fixture
def shot():
    """``shot(page, "name")`` saves a full-page screenshot under shots/ for a person to look at."""
    os.makedirs(SHOTS, exist_ok=True)

    def take(page, name):
        page.screenshot(path=os.path.join(SHOTS, f"e2e-{name}.png"), full_page=True)

    return take


def log_in(page, base_url, email, password):
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator(
        "button[type=submit]"
    ).click()
    page.wait_for_load_state()
