from meddic import views

urlpatterns = [*views.urlpatterns]
