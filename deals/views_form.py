"""The deal form (register and edit through the Partner-MEDDIC template) and the champion log.

Edits carry the deal's ``version``; a stale save shows the merge page (``deals/merge.html``): every answer where
what you sent differs from the deal as it is now, yours against theirs with who changed it, one choice per
answer. Everything you typed travels along in hidden inputs, so nothing is lost.
"""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from audit.services import deal_history
from deals import permissions, selectors, services, workflow
from deals.forms import (
    ChampionActivityForm,
    DealForm,
    answers_of,
    apply_service_errors,
    comparable,
    form_data_of,
    form_field_of,
)
from deals.models import ActivityActor
from partners.models import ALL_ROLES, PARTNER_ROLES
from prm.clock import vendor_today
from prm.mixins import VendorPageMixin
from prm.tenancy import Access

CHAMPION_LOG_TEMPLATE = "deals/includes/champion_log.html"
# Posted by the merge page: "mine" or "theirs" per answer, named after the form field.
CHOICE_PREFIX = "choice__"
NOT_CARRIED = {"csrfmiddlewaretoken", "version", "base", "action", "merge"}


def champion_log_context(access: Access, deal, form: ChampionActivityForm | None = None, **extra) -> dict:
    """Context of ``deals/includes/champion_log.html`` (the deal page includes it with this context)."""
    can_log = permissions.can_edit_elements(access, deal)
    if form is None and can_log:
        form = ChampionActivityForm(
            initial={"date": vendor_today(access.vendor), "actor": ActivityActor.CHAMPION}
        )
    return {
        "deal": deal,
        "vendor": access.vendor,
        "activities": selectors.champion_log(deal),
        "activity_form": form,
        "can_log": can_log,
        **extra,
    }


CONFLICT_ON_SUBMIT = gettext_lazy(
    "Registration submitted. Another partner has registered the same customer; "
    "your channel manager will decide which registration stands."
)


class ChampionActivitiesView(VendorPageMixin, View):
    """GET: the log partial. POST: add one entry; htmx gets the updated partial, others the deal page."""

    roles = ALL_ROLES

    def get(self, request, vendor_slug, deal_id):
        deal = selectors.deal_get(self.access, deal_id)
        return render(request, CHAMPION_LOG_TEMPLATE, champion_log_context(self.access, deal))

    def post(self, request, vendor_slug, deal_id):
        deal = selectors.deal_get(self.access, deal_id)
        if not permissions.can_edit_elements(self.access, deal):
            raise PermissionDenied
        form = ChampionActivityForm(request.POST)
        activity = None
        if form.is_valid():
            try:
                activity = services.champion_activity_add(access=self.access, deal=deal, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
        if activity is None:
            context = champion_log_context(self.access, deal, form)
            if request.htmx:
                return render(request, CHAMPION_LOG_TEMPLATE, context)
            return render(request, "deals/champion_log.html", context, status=400)
        if request.htmx:
            return render(
                request, CHAMPION_LOG_TEMPLATE, champion_log_context(self.access, deal, added=activity.pk)
            )
        messages.success(request, _("Champion activity logged."))
        return redirect("deal_detail", vendor_slug, deal.pk)


# --- The deal form -------------------------------------------------------------------------------------------


def last_changes(deal) -> dict:
    """The newest audit entry that touched each answer, keyed like ``DealForm.answers()``."""
    found = {}
    for entry in deal_history(deal)[:500]:
        for field in entry.changes:
            key = f"meddic.{field}" if entry.action.startswith("element.") else field
            found.setdefault(key, entry)
    return found


def merged_data(post, current: dict):
    """The posted answers with "theirs" taken wherever the merge page said so."""
    data = post.copy()
    for key, value in current.items():
        if post.get(CHOICE_PREFIX + form_field_of(key)) == "theirs":
            data.setlist(form_field_of(key), form_data_of(key, value))
    return data


def merge_rows(form: DealForm, deal, elements) -> list[dict]:
    """Every answer where what was sent differs from the deal as it is now."""
    mine, theirs, base = form.answers(), answers_of(deal, elements), form.base_answers()
    changes = last_changes(deal)
    rows = []
    for key, their_value in theirs.items():
        my_value = mine.get(key)
        if my_value == their_value:
            continue
        # A value the user did not touch is only their stale copy: taking theirs is the safe default.
        was = None if base is None else comparable(key, base.get(key))
        yours_changed = base is None or was != my_value
        rows.append(
            {
                "key": key,
                "name": CHOICE_PREFIX + form_field_of(key),
                "label": form.label_of(key),
                "mine": form.display(key, my_value),
                "theirs": form.display(key, their_value),
                "multiline": key == "proposal_reason",
                "change": changes.get(key),
                "yours_changed": yours_changed,
                "only_yours": base is not None and was == their_value,
                "keep": "mine" if yours_changed else "theirs",
            }
        )
    return rows


class DealFormMixin(VendorPageMixin):
    template_name = "deals/deal_form.html"

    def render_form(self, form: DealForm, deal=None, status: int = 200):
        context = {
            "access": self.access,
            "vendor": self.vendor,
            "form": form,
            "deal": deal,
            "sections": form.element_sections(),
            "errors": self.error_summary(form),
            "can_submit": self.can_submit(deal),
        }
        if deal is not None:
            context.update(champion_log_context(self.access, deal))
        return render(self.request, self.template_name, context, status=status)

    def can_submit(self, deal) -> bool:
        if deal is None:
            return True
        return any(t.action == "submit" for t in workflow.actions_for(self.access, deal))

    @staticmethod
    def error_summary(form: DealForm) -> list[dict]:
        """One line per field in error, linking to it (element answers link to their card)."""
        summary = []
        for name, errors in form.errors.items():
            if name == "__all__":
                continue
            if "__" in name:
                code = name.split("__")[0]
                anchor, label = f"element-{code}", form.label_of(f"meddic.{code}.{name.split('__')[1]}")
            else:
                anchor, label = form[name].auto_id, form.fields[name].label
            summary.append({"anchor": anchor, "label": label, "messages": errors})
        return summary

    @property
    def submitting(self) -> bool:
        return self.request.POST.get("action") == "submit"


class DealCreateView(DealFormMixin, View):
    """A partner user registers a deal: saved as a draft, or saved and submitted in one step."""

    roles = PARTNER_ROLES

    def get(self, request, vendor_slug):
        return self.render_form(DealForm(access=self.access))

    def post(self, request, vendor_slug):
        form = DealForm(request.POST, access=self.access)
        if not form.is_valid():
            return self.render_form(form)
        try:
            with transaction.atomic():
                deal = services.deal_create(
                    access=self.access, fields=form.deal_fields(), meddic=form.meddic()
                )
                if self.submitting:
                    deal = workflow.deal_transition(access=self.access, deal=deal, action="submit")
        except ValidationError as error:
            form.apply_service_errors(error)
            return self.render_form(form)
        if self.submitting and workflow.open_conflicts(deal).exists():
            messages.warning(request, CONFLICT_ON_SUBMIT)
        elif self.submitting:
            messages.success(request, _("Deal registered and submitted to the vendor for approval."))
        else:
            messages.success(request, _("Deal saved as a draft. Submit the registration when it is ready."))
        return redirect("deal_detail", vendor_slug, deal.pk)


class DealUpdateView(DealFormMixin, View):
    """The deal's owner (or their partner admin) edits it; a stale version leads to the merge page."""

    roles = ALL_ROLES

    def load(self, deal_id):
        deal = selectors.deal_get(self.access, deal_id)
        if not permissions.can_edit_deal(self.access, deal):
            raise PermissionDenied
        return deal, selectors.deal_elements(deal)

    def get(self, request, vendor_slug, deal_id):
        deal, elements = self.load(deal_id)
        return self.render_form(DealForm(access=self.access, deal=deal, elements=elements), deal)

    def post(self, request, vendor_slug, deal_id):
        deal, elements = self.load(deal_id)
        data = request.POST
        if data.get("merge"):
            data = merged_data(data, answers_of(deal, elements))
        form = DealForm(data, access=self.access, deal=deal, elements=elements)
        if not form.is_valid():
            return self.render_form(form, deal)
        try:
            with transaction.atomic():
                saved = self.save(form, deal, form.cleaned_data["version"])
        except services.StaleVersion as stale:
            current = stale.current
            current_elements = selectors.deal_elements(current)
            rows = merge_rows(form, current, current_elements)
            if rows:
                return self.render_merge(form, data, current, current_elements, rows)
            # Nothing differs from the current deal: the save would change nothing that is not already there.
            saved = current
        except ValidationError as error:
            form.apply_service_errors(error)
            return self.render_form(form, deal)
        if self.submitting and workflow.open_conflicts(saved).exists():
            messages.warning(request, CONFLICT_ON_SUBMIT)
        elif self.submitting:
            messages.success(request, _("Changes saved and the registration submitted."))
        else:
            messages.success(request, _("Changes saved."))
        return redirect("deal_detail", vendor_slug, saved.pk)

    def save(self, form: DealForm, deal, version: int):
        saved = services.deal_update(
            access=self.access, deal=deal, version=version, fields=form.deal_fields(), meddic=form.meddic()
        )
        if self.submitting:
            saved = workflow.deal_transition(access=self.access, deal=saved, action="submit")
        return saved

    def render_merge(self, form: DealForm, data, current, elements, rows):
        carried = [
            (name, value)
            for name, values in data.lists()
            if name not in NOT_CARRIED and not name.startswith(CHOICE_PREFIX)
            for value in values
        ]
        context = {
            "access": self.access,
            "vendor": self.vendor,
            "deal": current,
            "rows": rows,
            "carried": carried,
            "version": current.version,
            "base": json.dumps(answers_of(current, elements), ensure_ascii=False),
            "action": "submit" if self.submitting else "save",
            "can_submit": self.can_submit(current),
        }
        return render(self.request, "deals/merge.html", context, status=409)


urlpatterns = [
    path("deals/new/", DealCreateView.as_view(), name="deal_create"),
    path("deals/<int:deal_id>/edit/", DealUpdateView.as_view(), name="deal_update"),
    path(
        "deals/<int:deal_id>/champion-activities/",
        ChampionActivitiesView.as_view(),
        name="champion_activities",
    ),
]
