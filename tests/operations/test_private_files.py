"""Private files leave without passing through Python when they need not: a signed link on an object store
(a real S3-speaking server here), an nginx X-Accel-Redirect on a local disk; the visibility check still first."""

import urllib.request

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from moto.server import ThreadedMotoServer

from dossiers import services
from tests.dossiers.conftest import APPLICANT

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


@pytest.fixture
def object_store(settings):
    """A local S3-compatible server (moto) with a private bucket, and the portal's storage pointed at it."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    credentials = {"aws_access_key_id": "motcua", "aws_secret_access_key": "motcua-secret",
                   "region_name": "us-east-1"}
    boto3.client("s3", endpoint_url=endpoint, **credentials).create_bucket(Bucket="motcua-files")
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": "motcua-files", "endpoint_url": endpoint, "access_key": "motcua",
        "secret_key": "motcua-secret", "region_name": "us-east-1", "default_acl": "private",
        "querystring_auth": True, "file_overwrite": False}}}
    settings.PRIVATE_FILES_URL_SECONDS = 60
    yield endpoint
    server.stop()


def _dossier_with_scan(staff, procedure):
    return services.intake(actor=staff.desk, procedure=procedure, applicant=dict(APPLICANT), components=[
        {"name": "Tờ khai", "file": SimpleUploadedFile("tờ khai.pdf", PDF, content_type="application/pdf")}])


def test_a_scan_on_the_object_store_is_a_short_signed_link(object_store, client, staff, procedure):
    d = _dossier_with_scan(staff, procedure)
    component = d.components.get()
    url = f"/ho-so/{d.code}/tep/{component.pk}/"
    # the bucket is private: the object itself is not readable without a signature
    with pytest.raises(urllib.error.HTTPError) as unsigned:
        urllib.request.urlopen(f"{object_store}/motcua-files/{component.file.name}")
    assert unsigned.value.code == 403

    client.force_login(staff.desk)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(object_store) and "Signature=" in response["Location"]
    assert "Expires=" in response["Location"] or "X-Amz-Expires=60" in response["Location"]
    assert response["Cache-Control"] == "private, no-store"
    with urllib.request.urlopen(response["Location"]) as signed:
        assert signed.read() == PDF
        assert signed.headers["Content-Type"] == "application/pdf"
        assert "t%E1%BB%9D%20khai.pdf" in signed.headers["Content-Disposition"]

    client.force_login(staff.desk2)  # another commune: no link at all
    assert client.get(url).status_code == 404


def test_behind_nginx_a_local_file_goes_out_by_x_accel_redirect(settings, tmp_path, client, staff, procedure):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_FILES_X_ACCEL_PREFIX = "/_private/"
    d = _dossier_with_scan(staff, procedure)
    component = d.components.get()
    client.force_login(staff.desk)
    response = client.get(f"/ho-so/{d.code}/tep/{component.pk}/")
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == "/_private/" + component.file.name
    assert response["Content-Type"] == "application/pdf"
    assert "filename" in response["Content-Disposition"]
    (tmp_path / component.file.name).unlink()
    assert client.get(f"/ho-so/{d.code}/tep/{component.pk}/").status_code == 404
