"""Forms of the enablement pages: the content form with its quiz, and the filter bars of the lists."""

import os

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes.forms import SafeModelMultipleChoiceField

from enablement import richtext, services
from enablement.files import ACCEPT, file_check
from enablement.models import Content, ContentKind
from partners.models import PartnerCompany, Tier

MIN_QUESTIONS, MAX_QUESTIONS, CHOICES_PER_QUESTION = 2, 5, 4


class ContentForm(forms.ModelForm):
    """Title, kind and material, audience and reading rules. The quiz is a separate formset (``QuizFormSet``).

    ``pending`` describes a file uploaded with an earlier, refused submission of this form and kept for it (see
    ``enablement.uploads``): it counts as the file unless a new one is chosen.
    """

    upload = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    pending_file = forms.CharField(required=False, widget=forms.HiddenInput)
    url = forms.URLField(
        label=_("Link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        error_messages={"invalid": _("Enter a full web address starting with http:// or https://.")},
    )
    tiers = forms.MultipleChoiceField(
        label=_("Tiers"), choices=Tier.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    partners = SafeModelMultipleChoiceField(
        label=_("Named partners"),
        queryset=PartnerCompany.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    read_seconds = forms.IntegerField(
        label=_("Counts as read after (seconds on the page)"),
        validators=[MinValueValidator(5), MaxValueValidator(3600)],
        help_text=_("Or when the reader reaches the end of the page. Between 5 and 3600 seconds."),
    )
    pass_mark = forms.IntegerField(
        label=_("Pass mark (%)"),
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The share of correct answers needed to pass the quiz."),
    )

    class Meta:
        model = Content
        fields = ["title", "summary", "kind", "url", "body", "read_seconds", "pass_mark"]
        widgets = {
            "kind": forms.RadioSelect,
            "summary": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 14}),
        }
        help_texts = {
            "summary": _("One or two sentences shown in the partners' inbox and in the email."),
            "body": _(
                "Plain text: a blank line starts a new paragraph. Simple HTML is allowed too: headings (h2–h4), "
                "paragraphs, lists, bold, italics, links, quotes, code and tables."
            ),
        }

    def __init__(self, *args, pending: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.pending = pending
        self.upload_type: str | None = None
        self.fields["partners"].queryset = PartnerCompany.objects.order_by("name")
        self.fields["partners"].label_from_instance = lambda partner: (
            f"{partner.name} ({partner.get_tier_display()})"
        )
        self.fields["title"].widget.attrs["maxlength"] = 200
        if self.instance.pk is not None:
            self.initial.setdefault("tiers", [row.tier for row in self.instance.audience.all() if row.tier])
            self.initial.setdefault(
                "partners", [row.partner_id for row in self.instance.audience.all() if row.partner_id]
            )

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            self.upload_type = file_check(upload, max_bytes=settings.CONTENT_MAX_BYTES)
        return upload

    def clean_body(self):
        body = self.cleaned_data.get("body", "")
        refused = richtext.disallowed_tags(body)
        if refused:
            raise ValidationError(
                _("These HTML tags are not allowed: %(tags)s. Remove them, or write the text without them.")
                % {"tags": ", ".join(f"<{tag}>" for tag in refused)}
            )
        return body

    @property
    def has_file(self) -> bool:
        return bool(self.cleaned_data.get("upload") or self.pending or self.instance.file)

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == ContentKind.FILE and "upload" not in self.errors and not self.has_file:
            self.add_error("upload", _("Choose the file to publish."))
        if kind == ContentKind.LINK and "url" not in self.errors and not cleaned.get("url"):
            self.add_error("url", _("Enter the link to publish."))
        if kind == ContentKind.TEXT and "body" not in self.errors and not (cleaned.get("body") or "").strip():
            self.add_error("body", _("Write the text to publish."))
        if not cleaned.get("tiers") and not cleaned.get("partners") and "partners" not in self.errors:
            self.add_error("tiers", _("Choose at least one tier or partner to send this content to."))
        return cleaned

    def apply_file(self, content: Content) -> str | None:
        """Put the new upload (or the kept one) on ``content``; returns the stored file it replaces, if any."""
        upload = self.cleaned_data.get("upload")
        previous = content.file.name if content.pk and content.file else None
        if upload:
            content.file = upload
            content.file_name = os.path.basename(upload.name)[:255]
            content.file_type = self.upload_type
            content.file_size = upload.size
        elif self.pending:
            content.file.name = self.pending["name"]
            content.file_name = self.pending["file_name"]
            content.file_type = self.pending["file_type"]
            content.file_size = self.pending["size"]
        else:
            return None
        return previous

    def save_content(self, *, access, questions: list[dict], publish: bool) -> int:
        """Save the valid form's content with its file, audience and quiz (publishing it when ``publish``).

        Returns how many people this save delivered it to (``services.content_save``)."""
        content = self.save(commit=False)
        replaced = self.apply_file(content)
        return services.content_save(
            access=access,
            content=content,
            tiers=self.cleaned_data["tiers"],
            partners=list(self.cleaned_data["partners"]),
            questions=questions,
            publish=publish,
            replaced_file=replaced,
        )


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), max_length=300, required=False)
    choice_1 = forms.CharField(label=_("Choice 1"), max_length=200, required=False)
    choice_2 = forms.CharField(label=_("Choice 2"), max_length=200, required=False)
    choice_3 = forms.CharField(label=_("Choice 3"), max_length=200, required=False)
    choice_4 = forms.CharField(label=_("Choice 4"), max_length=200, required=False)
    correct = forms.ChoiceField(
        label=_("Correct choice"),
        choices=[(str(n), str(n)) for n in range(1, CHOICES_PER_QUESTION + 1)],
        required=False,
        widget=forms.RadioSelect,
    )

    CHOICE_FIELDS = tuple(f"choice_{n}" for n in range(1, CHOICES_PER_QUESTION + 1))

    def clean(self):
        cleaned = super().clean()
        text = (cleaned.get("text") or "").strip()
        typed = [(cleaned.get(name) or "").strip() for name in self.CHOICE_FIELDS]
        if not text and not any(typed):
            cleaned["question"] = None
            return cleaned
        if not text:
            self.add_error("text", _("Write the question, or clear its choices."))
        if sum(1 for choice in typed if choice) < 2:
            self.add_error("choice_1", _("Give at least two choices."))
        correct = cleaned.get("correct")
        if not correct:
            self.add_error("correct", _("Mark which choice is correct."))
        elif not typed[int(correct) - 1]:
            self.add_error("correct", _("The choice marked as correct is empty."))
        if self.errors:
            return cleaned
        kept = [index for index, choice in enumerate(typed) if choice]
        cleaned["question"] = {
            "text": text,
            "choices": [typed[index] for index in kept],
            "correct": kept.index(int(correct) - 1),
        }
        return cleaned

    def choice_rows(self):
        """(choice text field, its "correct" radio) pairs, for the editor's rows."""
        radios = list(self["correct"])
        return [(self[name], radios[index]) for index, name in enumerate(self.CHOICE_FIELDS)]

    @classmethod
    def initial_for(cls, question) -> dict:
        initial = {"text": question.text, "correct": str(question.correct + 1)}
        for name, choice in zip(cls.CHOICE_FIELDS, question.choices, strict=False):
            initial[name] = choice
        return initial


class BaseQuizFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        if len(self.questions) == 1:
            raise ValidationError(
                _("A quiz needs at least %(min)d questions: add another one, or clear this one for no quiz.")
                % {"min": MIN_QUESTIONS}
            )

    @property
    def is_open(self) -> bool:
        """Show the quiz editor open when there is a quiz or something was typed into it."""
        if self.initial:
            return True
        return self.is_bound and (
            any(form.has_changed() for form in self.forms) or bool(self.non_form_errors())
        )

    @property
    def questions(self) -> list[dict]:
        return [
            form.cleaned_data["question"]
            for form in self.forms
            if getattr(form, "cleaned_data", None) and form.cleaned_data.get("question")
        ]


QuizFormSet = forms.formset_factory(
    QuestionForm,
    formset=BaseQuizFormSet,
    extra=MAX_QUESTIONS,
    max_num=MAX_QUESTIONS,
    absolute_max=MAX_QUESTIONS,
)


def quiz_formset(data=None, content: Content | None = None) -> BaseQuizFormSet:
    initial = [QuestionForm.initial_for(q) for q in content.questions.all()] if content and content.pk else []
    return QuizFormSet(data, initial=initial, prefix="quiz")


# Filter bars -------------------------------------------------------------------------------------------------


class ContentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *ContentKind.choices]
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("All")),
            ("published", pgettext_lazy("content state", "Published")),
            ("draft", pgettext_lazy("content state", "Draft")),
        ],
    )
    tier = forms.ChoiceField(
        label=_("Audience tier"), required=False, choices=[("", _("All tiers")), *Tier.choices]
    )


RECIPIENT_STAGES = [
    ("", _("All recipients")),
    ("not_opened", _("Not opened")),
    ("opened", _("Opened, not read")),
    ("read", _("Read, not understood")),
    ("understood", pgettext_lazy("funnel", "Understood")),
]


class RecipientFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=RECIPIENT_STAGES)
    partner = forms.TypedChoiceField(label=_("Partner"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", _("All partners")), *partners]


class PartnerFunnelFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=[("", _("All tiers")), *Tier.choices])
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            ("", _("By name")),
            ("understood", _("Lowest understood rate first")),
            ("not_opened", _("Most not opened first")),
        ],
    )


class InboxFilterForm(forms.Form):
    # Chosen with the tabs above the list; the filter bar carries it along as a hidden field.
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        widget=forms.HiddenInput,
        choices=[
            ("", _("All")),
            ("new", pgettext_lazy("inbox", "New")),
            ("pending", pgettext_lazy("inbox", "Pending")),
            ("done", pgettext_lazy("inbox", "Done")),
        ],
    )
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *ContentKind.choices]
    )
