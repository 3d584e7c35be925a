"""The caller's notifications in a vendor: the list with its filters, the same list as CSV, opening one and
marking all as read. Everything goes through ``notifications.selectors`` (the caller's own rows only)."""

from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import ListView

from notifications import kinds, selectors
from notifications.services import mark_read
from partners.models import ALL_ROLES
from prm.clock import vendor_today
from prm.csv_export import csv_response
from prm.mixins import VendorPageMixin


class NotificationFilterForm(forms.Form):
    show = forms.ChoiceField(
        label=gettext_lazy("Show"),
        choices=[("all", gettext_lazy("All")), ("unread", gettext_lazy("Unread"))],
        required=False,
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            ("", _("All kinds")),
            *((kind, kinds.label(kind)) for kind in kinds.KINDS),
        ]


def filtered(access, data):
    """The caller's notifications narrowed by the valid filters of ``data``; an invalid one is left out and
    reported on the form."""
    form = NotificationFilterForm(data)
    form.is_valid()
    cleaned = form.cleaned_data
    qs = selectors.notifications_of(access)
    if cleaned.get("show") == "unread":
        qs = qs.filter(read_at=None)
    if cleaned.get("kind"):
        qs = qs.filter(kind=cleaned["kind"])
    return form, qs


class NotificationListView(VendorPageMixin, ListView):
    roles = ALL_ROLES
    template_name = "notifications/list.html"
    paginate_by = 30
    context_object_name = "notifications"

    def get_queryset(self):
        self.form, qs = filtered(self.access, self.request.GET)
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for notification in context["notifications"]:
            notification.text = kinds.render(notification)
            notification.detail_text = kinds.detail(notification)
            notification.icon = kinds.icon(notification)
        cleaned = self.form.cleaned_data
        context.update(
            form=self.form,
            show=cleaned.get("show") or "all",
            filtered=bool(cleaned.get("show") == "unread" or cleaned.get("kind") or self.form.errors),
        )
        return context


def _local(value, tz) -> str:
    return timezone.localtime(value, tz).strftime("%Y-%m-%d %H:%M") if value else ""


class NotificationExportView(VendorPageMixin, View):
    """The notifications the list shows, with the same filters and order, every page."""

    roles = ALL_ROLES

    def get(self, request, vendor_slug):
        _form, qs = filtered(self.access, request.GET)
        tz = ZoneInfo(self.vendor.time_zone)
        header = [_("When"), _("Kind"), _("Notification"), _("Detail"), _("Customer"), _("Read")]
        rows = (
            [
                _local(n.created_at, tz),
                kinds.label(n.kind),
                kinds.render(n),
                kinds.detail(n),
                n.deal.customer_name if n.deal is not None else (n.params or {}).get("customer", ""),
                _local(n.read_at, tz),
            ]
            for n in qs.iterator(chunk_size=500)
        )
        filename = f"notifications-{self.vendor.slug}-{vendor_today(self.vendor):%Y%m%d}.csv"
        return csv_response(filename, header, rows)


class NotificationOpenView(VendorPageMixin, View):
    """POST: mark the notification read and go to its deal (or back to the list when it has none)."""

    roles = ALL_ROLES

    http_method_names = ["post"]

    def post(self, request, vendor_slug, notification_id):
        notification = selectors.notification_get(self.access, notification_id)
        mark_read(user=self.access.user, vendor=self.vendor, ids=[notification.pk])
        if notification.deal_id is not None:
            return redirect("deal_detail", vendor_slug=vendor_slug, deal_id=notification.deal_id)
        return redirect("notification_list", vendor_slug=vendor_slug)


class NotificationReadAllView(VendorPageMixin, View):
    """POST: mark every unread notification of the caller in this vendor as read."""

    roles = ALL_ROLES

    http_method_names = ["post"]

    def post(self, request, vendor_slug):
        count = mark_read(user=self.access.user, vendor=self.vendor)
        if count:
            messages.success(
                request,
                ngettext(
                    "%(count)d notification marked as read.",
                    "%(count)d notifications marked as read.",
                    count,
                )
                % {"count": count},
            )
        else:
            messages.info(request, _("You have no unread notifications."))
        return redirect(reverse("notification_list", kwargs={"vendor_slug": vendor_slug}))


urlpatterns = [
    path("notifications/", NotificationListView.as_view(), name="notification_list"),
    path("notifications/export.csv", NotificationExportView.as_view(), name="notification_export"),
    path(
        "notifications/<int:notification_id>/open/",
        NotificationOpenView.as_view(),
        name="notification_open",
    ),
    path("notifications/read/", NotificationReadAllView.as_view(), name="notification_read_all"),
]
