import pytest
from django.contrib.auth.models import Permission


@pytest.fixture
def viewer(django_user_model):
    """A data officer who may see every list but export none."""
    user = django_user_model.objects.create_user("viewer", password="Correct-Horse-Battery-9")
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    return user


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client
