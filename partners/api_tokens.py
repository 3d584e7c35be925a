"""``/api/v1/me/tokens/``: a user's own personal API tokens — list, create with a name, revoke (DESIGN §11)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from partners import services
from partners.models import ApiToken
from prm.api_schema import ERRORS_400, AutoSchema
from prm.parsers import JSONParser

NOT_YOURS = OpenApiResponse(description=_("Not one of your tokens."))


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "created_at", "last_used_at", "expires_at"]
        read_only_fields = fields


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text=_("What the token is for, e.g. the CRM sync."))
    expires_in_days = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_("Days until it expires; default API_TOKEN_TTL_DAYS (90), at most 365."),
    )

    def validate_expires_in_days(self, value):
        if value > settings.API_TOKEN_MAX_DAYS:
            raise serializers.ValidationError(
                _("Choose between 1 and %(max)s days.") % {"max": settings.API_TOKEN_MAX_DAYS}
            )
        return value


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(
        read_only=True, help_text=_("Send it as `Authorization: Token <token>`. It is shown only once.")
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class MeTokenListView(APIView):
    """Your personal API tokens, newest first (never their keys), and a new one."""

    schema = AutoSchema()
    parser_classes = (JSONParser,)

    @extend_schema(operation_id="me_tokens_list", tags=["auth"], responses=ApiTokenSerializer(many=True))
    def get(self, request):
        tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at", "-pk")
        return Response(ApiTokenSerializer(tokens, many=True).data)

    @extend_schema(
        operation_id="me_tokens_create",
        tags=["auth"],
        request=ApiTokenCreateSerializer,
        responses={201: ApiTokenCreatedSerializer, 400: ERRORS_400},
    )
    def post(self, request):
        serializer = ApiTokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        token, key = services.api_token_create(
            user=request.user, name=data["name"], days=data.get("expires_in_days")
        )
        token.token = key
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)


class MeTokenDetailView(APIView):
    schema = AutoSchema()

    @extend_schema(operation_id="me_tokens_destroy", tags=["auth"], responses={204: None, 404: NOT_YOURS})
    def delete(self, request, token_id):
        """Revoke one of your tokens: it stops working at once."""
        services.api_token_revoke(user=request.user, token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
