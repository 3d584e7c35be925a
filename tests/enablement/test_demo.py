"""Demo content: published and draft material with a funnel that shows something in every stage; idempotent."""

from django_scopes import scopes_disabled

from enablement.demo import demo_content_seed
from enablement.models import Content, Delivery
from prm.tenancy import vendor_scope


def test_demo_content_has_a_realistic_funnel_and_is_seeded_once(world):
    with vendor_scope(world.acme):
        assert demo_content_seed(vendor=world.acme) > 0
        assert demo_content_seed(vendor=world.acme) == 0
    with scopes_disabled():
        contents = Content.objects.filter(vendor=world.acme)
        deliveries = Delivery.objects.filter(vendor=world.acme)
        assert contents.filter(published_at=None).exists()
        assert {"file", "link", "text"} <= set(contents.values_list("kind", flat=True))
        assert contents.filter(questions__isnull=False).exists()
        # Every delivery goes to a user of a partner in the audience; stages never skip backwards.
        assert deliveries.exists()
        for delivery in deliveries:
            assert delivery.read_at is None or delivery.opened_at is not None
            assert delivery.understood_at is None or delivery.read_at is not None
        stages = {delivery.stage for delivery in deliveries}
        assert {"delivered", "understood"} <= stages and stages & {"opened", "read"}
        assert not Delivery.objects.filter(vendor=world.rival).exists()
        pdf = contents.get(kind="file")
        with pdf.file.open("rb") as stored:
            assert stored.read(5) == b"%PDF-"
