from webhooks import views

urlpatterns = views.urlpatterns
