from django.urls import path

from knowledge import views

urlpatterns = [
    path("kpis/", views.KpiDashboardView.as_view(), name="kpi_dashboard"),
    path("kpis/export.csv", views.KpiExportView.as_view(), name="kpi_export"),
]
