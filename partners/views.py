"""Vendor pages for onboarding: partner companies, their users, vendor staff and settings."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView, UpdateView

from deals import dashboard as deal_dashboard
from meddic import dashboard as review_dashboard
from partners import selectors, services
from partners.forms import (
    PartnerFilterForm,
    PartnerForm,
    PartnerInvitationForm,
    StaffInvitationForm,
    VendorSettingsForm,
)
from partners.models import ALL_ROLES, PartnerStatus, Role, Tier
from partners.permissions import can_manage_company_users, can_reactivate_member, can_track_onboarding
from prm.csv_export import csv_response
from prm.forms import apply_service_errors
from prm.mixins import VendorAdminMixin, VendorPageMixin, VendorStaffMixin


def _with_reactivation(access, memberships) -> list:
    """The memberships, each told whether ``access`` may reactivate it (the members table's button)."""
    memberships = list(memberships)
    for membership in memberships:
        membership.can_reactivate = can_reactivate_member(access, membership)
    return memberships


class DashboardView(VendorPageMixin, TemplateView):
    roles = ALL_ROLES
    template_name = "partners/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partners = selectors.partners_visible(self.access)
        if self.access.is_vendor_staff:
            counts = selectors.partner_counts(self.access)
            context["tier_counts"] = [(label, counts[f"tier_{value}"]) for value, label in Tier.choices]
            context["status_counts"] = [
                (value, label, counts[f"status_{value}"]) for value, label in PartnerStatus.choices
            ]
            context["onboarding"] = partners.exclude(status=PartnerStatus.SUSPENDED).order_by(
                "status", "name"
            )[:8]
            context["mine"] = counts["mine"]
            context["deal_work"] = deal_dashboard.vendor_work(self.access)
            context["review_work"] = review_dashboard.vendor_review(self.access)
        else:
            context["partner"] = partners.first()
            context["deal_work"] = deal_dashboard.partner_work(self.access)
            context["review_work"] = review_dashboard.partner_review(self.access)
        return context


def filter_partners(access, params):
    form = PartnerFilterForm(params or None, access=access)
    qs = selectors.partners_visible(access)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            qs = qs.filter(Q(name__icontains=data["q"]) | Q(contact_email__icontains=data["q"]))
        if data["tier"]:
            qs = qs.filter(tier=data["tier"])
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["channel_manager"]:
            qs = qs.filter(channel_manager_id=data["channel_manager"])
    return form, qs


class PartnerListView(VendorStaffMixin, ListView):
    template_name = "partners/partner_list.html"
    paginate_by = 25
    context_object_name = "partners"

    def get_queryset(self):
        self.filter_form, qs = filter_partners(self.access, self.request.GET)
        sort = self.request.GET.get("sort", "name")
        allowed = {"name", "-name", "tier", "status", "-created_at", "created_at"}
        return qs.order_by(sort if sort in allowed else "name", "pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter_form=self.filter_form, **kwargs)


class PartnerExportView(VendorStaffMixin, View):
    def get(self, request, vendor_slug):
        _form, qs = filter_partners(self.access, request.GET)
        header = [
            _("Company name"),
            _("Tier"),
            _("Status"),
            _("Channel manager"),
            _("Contact email"),
            _("Active users"),
            _("Onboarding"),
            _("Created"),
        ]
        rows = (
            [
                p.name,
                p.get_tier_display(),
                p.get_status_display(),
                p.channel_manager.email if p.channel_manager else "",
                p.contact_email,
                p.active_users,
                f"{p.onboarding_done}/{len(p.CHECKLIST)}",
                p.created_at.date().isoformat(),
            ]
            for p in qs.order_by("name")
        )
        return csv_response(f"partners-{self.vendor.slug}.csv", header, rows)


class PartnerCreateView(VendorAdminMixin, FormView):
    template_name = "partners/partner_form.html"
    form_class = PartnerForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "access": self.access}

    def form_valid(self, form):
        try:
            partner = services.partner_create(access=self.access, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Partner “%(name)s” created. Invite its first admin next.") % {"name": partner.name},
        )
        return redirect("partner_detail", self.vendor.slug, partner.pk)


class PartnerUpdateView(VendorAdminMixin, UpdateView):
    template_name = "partners/partner_form.html"
    form_class = PartnerForm
    pk_url_kwarg = "partner_id"

    def get_object(self, queryset=None):
        return selectors.partner_get(self.access, self.kwargs["partner_id"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "access": self.access}

    def form_valid(self, form):
        try:
            services.partner_update(access=self.access, partner=self.object, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Changes saved."))
        return redirect("partner_detail", self.vendor.slug, self.object.pk)


class PartnerDetailView(VendorPageMixin, DetailView):
    roles = ALL_ROLES
    template_name = "partners/partner_detail.html"
    context_object_name = "partner"

    def get_object(self, queryset=None):
        return selectors.partner_get(self.access, self.kwargs["partner_id"])

    def can_manage_users(self):
        return can_manage_company_users(self.access, self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        manage = self.can_manage_users()
        context.update(
            members=_with_reactivation(self.access, selectors.partner_members(self.access, self.object)),
            can_manage_users=manage,
            can_edit_checklist=can_track_onboarding(self.access),
            invitations=selectors.invitations_for(self.access, self.object)[:20] if manage else [],
            invite_form=kwargs.get("invite_form") or PartnerInvitationForm(),
        )
        return context


class PartnerInviteView(PartnerDetailView):
    """POST an invitation for a user of this partner company (vendor admin, or the company's own admin)."""

    roles = (Role.VENDOR_ADMIN, Role.PARTNER_ADMIN)
    http_method_names = ["post"]

    def post(self, request, vendor_slug, partner_id):
        self.object = self.get_object()
        if not self.can_manage_users():
            raise PermissionDenied
        form = PartnerInvitationForm(request.POST)
        if form.is_valid():
            try:
                invitation, _token = services.invitation_create(
                    access=self.access, partner=self.object, **form.cleaned_data
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
                return redirect(
                    reverse("partner_detail", args=[vendor_slug, self.object.pk]) + "#invitations"
                )
        return self.render_to_response(self.get_context_data(invite_form=form), status=400)


class PartnerChecklistView(VendorStaffMixin, View):
    def post(self, request, vendor_slug, partner_id):
        partner = selectors.partner_get(self.access, partner_id)
        try:
            services.partner_checklist_set(
                access=self.access,
                partner=partner,
                item=request.POST.get("item", ""),
                done=request.POST.get("done") == "1",
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        if request.htmx:
            return render(
                request,
                "partners/includes/checklist.html",
                {"partner": partner, "can_edit_checklist": True, "access": self.access},
            )
        return redirect("partner_detail", vendor_slug, partner.pk)


class MemberActiveView(VendorPageMixin, View):
    """Deactivate (ending their sessions at once) or reactivate a user."""

    roles = (Role.VENDOR_ADMIN, Role.PARTNER_ADMIN)
    active = False

    def post(self, request, vendor_slug, membership_id):
        membership = selectors.member_get(self.access, membership_id)
        try:
            if self.active:
                services.membership_reactivate(access=self.access, membership=membership)
                messages.success(
                    request, _("%(email)s can sign in again.") % {"email": membership.user.email}
                )
            else:
                services.membership_deactivate(access=self.access, membership=membership)
                messages.success(
                    request,
                    _("%(email)s was deactivated and can no longer open this vendor's pages.")
                    % {"email": membership.user.email},
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        if membership.partner_id:
            return redirect("partner_detail", vendor_slug, membership.partner_id)
        return redirect("staff_list", vendor_slug)


class StaffListView(VendorAdminMixin, FormView):
    template_name = "partners/staff_list.html"
    form_class = StaffInvitationForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            staff=_with_reactivation(self.access, selectors.vendor_staff(self.access)),
            invitations=selectors.invitations_for(self.access)[:20],
            **kwargs,
        )

    def form_valid(self, form):
        try:
            invitation, _token = services.invitation_create(access=self.access, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
        return redirect("staff_list", self.vendor.slug)


class VendorSettingsView(VendorAdminMixin, UpdateView):
    template_name = "partners/vendor_settings.html"
    form_class = VendorSettingsForm

    def get_object(self, queryset=None):
        return self.vendor

    def form_valid(self, form):
        services.vendor_settings_save(access=self.access, vendor=form.save(commit=False))
        messages.success(self.request, _("Settings saved."))
        return redirect("vendor_settings", self.vendor.slug)
