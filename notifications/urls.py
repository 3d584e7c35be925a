from notifications import views

urlpatterns = views.urlpatterns
