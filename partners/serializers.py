"""API shapes of DESIGN §7 for accounts, partner companies and invitations.

Serializers only parse and render; the rules live in ``partners.services``.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from partners import selectors
from partners.models import Membership, PartnerCompany, PartnerStatus, Role, Tier


class TokenCredentialsSerializer(serializers.Serializer):
    email = serializers.EmailField(label=_("Email address"))
    password = serializers.CharField(
        label=_("Password"), write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )
    otp = serializers.CharField(
        label=_("Two-factor code"),
        required=False,
        allow_blank=True,
        help_text=_(
            "A code from the authenticator app, or an unused recovery code. Required when the account has "
            "two-factor authentication."
        ),
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        read_only=True, help_text=_("Send it as `Authorization: Token <token>`. It is shown only once.")
    )
    expires_at = serializers.DateTimeField(read_only=True, help_text=_("When the token stops working."))


class MembershipSerializer(serializers.ModelSerializer):
    vendor = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text=_("The vendor's URL name.")
    )
    partner = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("The partner company for partner roles, else null.")
    )

    class Meta:
        model = Membership
        fields = ["vendor", "role", "partner"]
        read_only_fields = fields


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField(read_only=True)
    memberships = MembershipSerializer(many=True, read_only=True)


class ChannelManagerField(serializers.PrimaryKeyRelatedField):
    """A user id among the vendor's active staff; any other id gets the same message, so ids do not leak."""

    default_error_messages = {
        "does_not_exist": _("Choose a channel manager of this vendor."),
        "incorrect_type": _("Choose a channel manager of this vendor."),
    }

    def get_queryset(self):
        partner = getattr(self.parent, "instance", None)
        keep = partner.channel_manager if isinstance(partner, PartnerCompany) else None
        return selectors.channel_manager_choices(self.context["access"], keep=keep)


class PartnerSerializer(serializers.ModelSerializer):
    channel_manager = ChannelManagerField(
        required=False,
        allow_null=True,
        help_text=_("User id of a channel manager or vendor admin of this vendor, or null."),
    )

    class Meta:
        model = PartnerCompany
        fields = ["id", "name", "tier", "status", "channel_manager"]
        extra_kwargs = {
            # Defaults apply on create only; a PATCH leaves fields it does not name alone.
            "tier": {"default": Tier.REGISTERED},
            "status": {"default": PartnerStatus.INVITED},
        }


# One choice set for every ``role`` field keeps a single ``RoleEnum`` in the schema; the service refuses a role
# that this invitation cannot give (400 on ``role``).
class PartnerInvitationSerializer(serializers.Serializer):
    email = serializers.EmailField(label=_("Email address"))
    role = serializers.ChoiceField(
        label=_("Role"), choices=Role.choices, help_text=_("`partner_admin` or `partner_rep`.")
    )


class StaffInvitationSerializer(serializers.Serializer):
    email = serializers.EmailField(label=_("Email address"))
    role = serializers.ChoiceField(
        label=_("Role"), choices=Role.choices, help_text=_("`vendor_admin` or `channel_manager`.")
    )


class InvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    token = serializers.CharField(read_only=True, help_text=_("The one-time secret; it is shown only once."))
    accept_url = serializers.URLField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)


class InvitationAcceptSerializer(serializers.Serializer):
    name = serializers.CharField(label=_("Your name"), max_length=150, required=False, allow_blank=True)
    password = serializers.CharField(
        label=_("Password"),
        write_only=True,
        required=False,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text=_(
            "Required for a new account. Someone who already has an account accepts while authenticated "
            "as that account instead."
        ),
    )
    proof = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text=_(
            "The proof parameter of the link in the invitation mail. Required unless authenticated as the "
            "invited address."
        ),
    )


class AcceptedMembershipSerializer(MembershipSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta(MembershipSerializer.Meta):
        fields = ["email", "vendor", "role", "partner"]
        read_only_fields = fields
