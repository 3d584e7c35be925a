"""Celery: JSON only, time limits, vendor-scoped tasks, tasks enqueued on commit, beat schedule in code.

Tasks run eagerly here (test settings); ``test_worker.py`` runs the same tasks on a real worker.
"""

import pytest
from celery.contrib.django.task import DjangoTask
from django_scopes import ScopeError

from partners.models import PartnerCompany
from partners.tasks import expire_invitations, expire_invitations_all
from prm.celery import VendorTask, app
from tests.prm.conftest import revoked, revoked_names


@app.task(base=VendorTask, name="tests.prm.partner_names_in_scope")
def partner_names_in_scope(*, vendor_id: int) -> list[str]:
    return sorted(PartnerCompany.objects.values_list("name", flat=True))


def test_vendor_task_refuses_to_run_without_vendor_id():
    with pytest.raises(TypeError, match=r"must be called with vendor_id"):
        expire_invitations()
    with pytest.raises(TypeError, match=r"must be called with vendor_id"):
        expire_invitations.apply(kwargs={}).get()


def test_vendor_task_runs_inside_the_vendor_scope(world):
    assert partner_names_in_scope.delay(vendor_id=world.acme.pk).get() == [
        "Alpha Systems",
        "Beta Integration",
    ]
    assert partner_names_in_scope.delay(vendor_id=world.rival.pk).get() == ["Gamma Partners"]
    with pytest.raises(ScopeError):  # the scope ends with the task
        list(PartnerCompany.objects.all())


def test_vendor_task_for_unknown_vendor_fails(world):
    from partners.models import Vendor

    with pytest.raises(Vendor.DoesNotExist):
        partner_names_in_scope.delay(vendor_id=world.rival.pk + 1000).get()


def test_expire_invitations_revokes_only_expired_unaccepted_of_that_vendor(world, invitations):
    assert expire_invitations.delay(vendor_id=world.acme.pk).get() == 2
    assert revoked_names(invitations) == {"acme_expired", "acme_expired_partner"}
    # Idempotent: running again changes nothing.
    assert expire_invitations.delay(vendor_id=world.acme.pk).get() == 0
    assert not revoked(invitations["rival_expired"])


def test_expire_invitations_all_fans_out_per_vendor(world, invitations):
    assert expire_invitations_all.delay().get() == 2  # acme and rival
    assert revoked_names(invitations) == {"acme_expired", "acme_expired_partner", "rival_expired"}


def test_beat_schedule_names_registered_tasks():
    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule
    assert schedule
    for name, entry in schedule.items():
        assert entry["task"] in app.tasks, f"beat entry {name} names unknown task {entry['task']}"


def test_serialisation_is_json_only():
    assert app.conf.task_serializer == "json"
    assert app.conf.result_serializer == "json"
    assert list(app.conf.accept_content) == ["json"]


def test_time_limits_and_visibility_timeout():
    hard, soft = app.conf.task_time_limit, app.conf.task_soft_time_limit
    assert hard and soft and soft < hard
    # Redis redelivers an unacknowledged task after the visibility timeout: it must outlast any task.
    assert app.conf.broker_transport_options["visibility_timeout"] > hard
    assert app.conf.result_backend_transport_options["visibility_timeout"] > hard


def test_late_acknowledgement_is_opt_in():
    assert app.conf.task_acks_late is False
    assert expire_invitations.acks_late is True  # idempotent


def test_tasks_are_django_tasks():
    """DjangoTask gives ``delay_on_commit``: services enqueue after their transaction commits."""
    assert issubclass(VendorTask, DjangoTask)
    assert isinstance(expire_invitations, DjangoTask)


def test_tasks_are_enqueued_only_on_commit(world, invitations, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        expire_invitations.delay_on_commit(vendor_id=world.acme.pk)
        assert not revoked(invitations["acme_expired"])
    assert len(callbacks) == 1
    assert not revoked(invitations["acme_expired"])  # not committed yet: nothing ran
    callbacks[0]()  # the commit
    assert revoked(invitations["acme_expired"])
