"""What the deal form tells the user after saving: errors on their control, conflicts in the message."""

import re
from datetime import timedelta

from django.contrib.messages import get_messages

from prm.clock import vendor_today
from tests.deals.conftest import register
from tests.deals.test_form_pages import CREATE, form_data


def control(html: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)


def test_a_refused_answer_marks_its_control_and_describes_the_error(world, client_for):
    future = vendor_today(world.acme) + timedelta(days=7)
    html = (
        client_for(world.partner_rep).post(CREATE, form_data(phase="won", close_date=future)).content.decode()
    )
    close_date = control(html, "close_date")
    assert "is-invalid" in close_date
    assert 'aria-describedby="id_close_date_errors id_close_date_helptext"' in close_date
    assert 'id="id_close_date_errors"' in html
    assert "is-invalid" not in control(html, "customer_name")


def test_submitting_into_a_conflict_says_so_right_away(world, client_for):
    register(world, world.beta_rep, submit=True, customer_name="株式会社北都精機")
    client = client_for(world.partner_rep)
    response = client.post(CREATE, form_data(customer_name="(株)北都精機", action="submit"))
    assert response.status_code == 302
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("Another partner has registered the same customer" in text for text in texts), texts


def test_submitting_without_a_conflict_confirms_the_submission(world, client_for):
    response = client_for(world.partner_rep).post(CREATE, form_data(action="submit"))
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert texts == ["Deal registered and submitted to the vendor for approval."]
