"""The vendor admins' webhook pages: the endpoints, adding and changing one, and each one's delivery log with
"send again" (the same services as the API, ``webhooks.services``)."""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from notifications.kinds import label
from partners.models import Role
from prm.csv_export import csv_response
from prm.forms import apply_service_errors
from prm.mixins import LastPageMixin, VendorPageMixin
from webhooks import services
from webhooks.forms import DeliveryFilterForm, WebhookForm
from webhooks.models import Webhook, WebhookDelivery

ADMINS = (Role.VENDOR_ADMIN,)
PAGE_SIZE = 30
# The session key under which a new webhook's signing secret waits to be shown once.
NEW_SECRET_SESSION_KEY = "webhook_secret_{}"  # noqa: S105 - a session key, not a secret


class WebhookListView(VendorPageMixin, LastPageMixin, ListView):
    roles = ADMINS
    template_name = "webhooks/list.html"
    paginate_by = PAGE_SIZE
    context_object_name = "webhooks"

    def get_queryset(self):
        return Webhook.objects.order_by("pk")


class WebhookCreateView(VendorPageMixin, TemplateView):
    roles = ADMINS
    template_name = "webhooks/form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", WebhookForm(initial={"is_active": True}))
        return context

    def post(self, request, vendor_slug):
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                hook = services.webhook_create(access=self.access, **form.service_fields())
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                request.session[NEW_SECRET_SESSION_KEY.format(hook.pk)] = hook.secret
                messages.success(request, _("Webhook added."))
                return redirect("webhook_detail", vendor_slug, hook.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


def deliveries_filtered(hook: Webhook, data):
    form = DeliveryFilterForm(data)
    form.is_valid()
    rows = hook.deliveries.select_related("event").order_by("-created_at", "-pk")
    state = form.cleaned_data.get("state")
    if state == "delivered":
        rows = rows.filter(delivered_at__isnull=False)
    elif state == "waiting":
        rows = rows.filter(delivered_at=None, next_retry_at__isnull=False)
    elif state == "failed":
        rows = rows.filter(delivered_at=None, next_retry_at=None)
    return form, rows


class WebhookDetailView(VendorPageMixin, LastPageMixin, ListView):
    """A webhook: its settings (changeable), the secret once after it was added, and its delivery log."""

    roles = ADMINS
    template_name = "webhooks/detail.html"
    paginate_by = PAGE_SIZE
    context_object_name = "deliveries"

    def setup_hook(self):
        self.hook = get_object_or_404(Webhook, pk=self.kwargs["webhook_id"])

    def get(self, request, *args, **kwargs):
        self.setup_hook()
        self.form = WebhookForm(instance=self.hook)
        return super().get(request, *args, **kwargs)

    def post(self, request, vendor_slug, webhook_id):
        self.setup_hook()
        self.form = WebhookForm(request.POST, instance=Webhook.objects.get(pk=self.hook.pk))
        if self.form.is_valid():
            try:
                services.webhook_update(access=self.access, webhook=self.hook, **self.form.service_fields())
            except ValidationError as error:
                apply_service_errors(self.form, error)
            else:
                messages.success(request, _("Webhook saved."))
                return redirect("webhook_detail", vendor_slug, webhook_id)
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(), status=400)

    def get_queryset(self):
        self.filter_form, rows = deliveries_filtered(self.hook, self.request.GET)
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for delivery in context["deliveries"]:
            delivery.event_label = label(delivery.event.code)
        context.update(
            hook=self.hook,
            form=self.form,
            filter_form=self.filter_form,
            secret=self.request.session.pop(NEW_SECRET_SESSION_KEY.format(self.hook.pk), None),
        )
        return context


class WebhookDeleteView(VendorPageMixin, View):
    roles = ADMINS
    http_method_names = ["post"]

    def post(self, request, vendor_slug, webhook_id):
        services.webhook_delete(access=self.access, webhook=get_object_or_404(Webhook, pk=webhook_id))
        messages.success(request, _("Webhook removed."))
        return redirect("webhook_list", vendor_slug)


class WebhookRedeliverView(VendorPageMixin, View):
    roles = ADMINS
    http_method_names = ["post"]

    def post(self, request, vendor_slug, webhook_id, delivery_id):
        delivery = get_object_or_404(
            WebhookDelivery.objects.select_related("webhook", "event"), pk=delivery_id, webhook_id=webhook_id
        )
        try:
            services.delivery_redeliver(access=self.access, delivery=delivery)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The event is being sent again."))
        return redirect("webhook_detail", vendor_slug, webhook_id)


DELIVERY_COLUMNS = (
    gettext_lazy("Delivery"),
    gettext_lazy("Event"),
    gettext_lazy("Created at"),
    gettext_lazy("Attempts"),
    gettext_lazy("Status code"),
    gettext_lazy("Error"),
    gettext_lazy("Delivered at"),
    gettext_lazy("Next attempt"),
)


class WebhookDeliveryExportView(VendorPageMixin, View):
    """The delivery log as CSV, with the page's filter."""

    roles = ADMINS

    def get(self, request, vendor_slug, webhook_id):
        hook = get_object_or_404(Webhook, pk=webhook_id)
        _form, rows = deliveries_filtered(hook, request.GET)
        zone = ZoneInfo(self.vendor.time_zone)

        def local(value):
            return timezone.localtime(value, zone).strftime("%Y-%m-%d %H:%M:%S") if value else ""

        return csv_response(
            f"webhook-{hook.pk}-deliveries.csv",
            [str(column) for column in DELIVERY_COLUMNS],
            (
                (
                    d.delivery,
                    d.event.code,
                    local(d.created_at),
                    d.attempt,
                    d.status_code,
                    d.error,
                    local(d.delivered_at),
                    local(d.next_retry_at),
                )
                for d in rows.iterator()
            ),
        )


urlpatterns = [
    path("webhooks/", WebhookListView.as_view(), name="webhook_list"),
    path("webhooks/new/", WebhookCreateView.as_view(), name="webhook_create"),
    path("webhooks/<int:webhook_id>/", WebhookDetailView.as_view(), name="webhook_detail"),
    path("webhooks/<int:webhook_id>/delete/", WebhookDeleteView.as_view(), name="webhook_delete"),
    path(
        "webhooks/<int:webhook_id>/deliveries.csv",
        WebhookDeliveryExportView.as_view(),
        name="webhook_deliveries_export",
    ),
    path(
        "webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/redeliver/",
        WebhookRedeliverView.as_view(),
        name="webhook_redeliver",
    ),
]
