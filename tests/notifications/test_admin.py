"""Platform staff read notifications of every vendor in the Django admin, and change none."""

from django.urls import reverse

from tests.conftest import make_superuser
from tests.notifications.test_notification_pages import send


def test_superuser_reads_notifications_of_both_vendors_read_only(world, client_for):
    acme = send(world, world.partner_rep)
    rival = send(world, world.rival_rep, vendor=world.rival, actor=world.rival_admin, customer="Rival KK")
    ops = make_superuser("ops@platform.example", "Platform Ops")
    client = client_for(ops)

    changelist = client.get(reverse("admin:notifications_notification_changelist"))
    assert changelist.status_code == 200
    assert "Riku Rep" in changelist.content.decode()
    assert "Gil Gamma" in changelist.content.decode()
    for notification in (acme, rival):
        url = reverse("admin:notifications_notification_change", args=[notification.pk])
        assert client.get(url).status_code == 200
        assert client.post(url, {}).status_code == 403
    assert client.get(reverse("admin:notifications_notification_add")).status_code == 403
