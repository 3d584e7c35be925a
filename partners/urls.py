"""Pages under /v/<vendor_slug>/."""

from django.urls import path

from partners import views, views_import

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("partners/", views.PartnerListView.as_view(), name="partner_list"),
    path("partners/new/", views.PartnerCreateView.as_view(), name="partner_create"),
    path("partners/export.csv", views.PartnerExportView.as_view(), name="partner_export"),
    path("partners/import/", views_import.PartnerImportView.as_view(), name="partner_import"),
    path("partners/import/template.csv", views_import.import_template, name="partner_import_template"),
    path("partners/<int:partner_id>/", views.PartnerDetailView.as_view(), name="partner_detail"),
    path("partners/<int:partner_id>/edit/", views.PartnerUpdateView.as_view(), name="partner_update"),
    path("partners/<int:partner_id>/invite/", views.PartnerInviteView.as_view(), name="partner_invite"),
    path(
        "partners/<int:partner_id>/checklist/", views.PartnerChecklistView.as_view(), name="partner_checklist"
    ),
    path(
        "members/<int:membership_id>/deactivate/",
        views.MemberActiveView.as_view(active=False),
        name="member_deactivate",
    ),
    path(
        "members/<int:membership_id>/reactivate/",
        views.MemberActiveView.as_view(active=True),
        name="member_reactivate",
    ),
    path("staff/", views.StaffListView.as_view(), name="staff_list"),
    path("settings/", views.VendorSettingsView.as_view(), name="vendor_settings"),
]
