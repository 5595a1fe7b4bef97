"""Profile and preferences settings through the web pages, bad uploads included."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import Account
from tests.factories import bomb_png_file, image_file

PROFILE = "/settings/profile"


def profile_data(**overrides):
    data = {
        "display_name": "Alice Liddell",
        "note": "Down the rabbit hole. #wonderland",
        "field_0_name": "Website", "field_0_value": "https://alice.example",
        "field_1_name": "Pronouns", "field_1_value": "she/her",
        "locked": "on",
        "discoverable": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_profile_page_shows_the_stored_profile(client_for, alice):
    Account.objects.filter(pk=alice.pk).update(
        display_name="Alice L.", fields=[{"name": "Web", "value": "x"}],
    )

    page = client_for(alice).get(PROFILE).content.decode()

    assert 'value="Alice L."' in page and 'value="Web"' in page
    assert 'enctype="multipart/form-data"' in page


@pytest.mark.django_db
def test_profile_edit_saves_everything_with_an_avatar(client_for, alice):
    client = client_for(alice)

    response = client.post(PROFILE, {**profile_data(), "avatar": image_file(size=(800, 600))}, follow=True)

    assert "Your profile has been saved." in response.content.decode()
    alice.refresh_from_db()
    assert alice.display_name == "Alice Liddell"
    assert alice.note == "Down the rabbit hole. #wonderland"
    assert "/tags/wonderland" in alice.note_html
    assert alice.fields == [
        {"name": "Website", "value": "https://alice.example"},
        {"name": "Pronouns", "value": "she/her"},
    ]
    assert alice.locked and alice.discoverable and not alice.bot
    with Image.open(alice.avatar.open()) as stored:
        assert stored.size == (400, 400)
    assert alice.avatar.url in response.content.decode()  # the new avatar is shown


@pytest.mark.django_db
def test_profile_edit_without_a_new_image_keeps_the_old_one(client_for, alice):
    client = client_for(alice)
    client.post(PROFILE, {**profile_data(), "header": image_file(size=(3000, 1000))})
    alice.refresh_from_db()
    header = alice.header.name

    client.post(PROFILE, profile_data(display_name="Still Alice"))

    alice.refresh_from_db()
    assert alice.header.name == header and alice.display_name == "Still Alice"


def _unchanged(account):
    account.refresh_from_db()
    return account.display_name == "" and not account.avatar and not account.locked


@pytest.mark.django_db
def test_a_file_that_is_not_an_image_is_refused_and_nothing_changes(client_for, alice):
    fake = SimpleUploadedFile("avatar.png", b"#!/bin/sh\necho not an image\n", content_type="image/png")

    response = client_for(alice).post(PROFILE, {**profile_data(), "avatar": fake})

    assert response.status_code == 400
    assert "This file is not an image we can use" in " ".join(response.context["form"].errors["avatar"])
    assert "This file is not an image we can use" in response.content.decode()
    assert _unchanged(alice)


@pytest.mark.django_db
def test_a_decompression_bomb_header_is_refused_and_nothing_changes(client_for, alice):
    bomb = bomb_png_file(60000)
    assert bomb.size < 4_000_000  # small on disk, 3.6 gigapixels once decoded

    response = client_for(alice).post(
        PROFILE, {**profile_data(), "avatar": image_file(), "header": bomb},
    )

    assert response.status_code == 400
    assert "too many pixels" in " ".join(response.context["form"].errors["header"])
    assert _unchanged(alice)  # the good avatar sent with it is not stored either


@pytest.mark.django_db
def test_overlong_display_name_and_too_long_field_are_form_errors(client_for, alice):
    response = client_for(alice).post(PROFILE, profile_data(display_name="x" * 31, field_0_value="v" * 256))

    errors = response.context["form"].errors
    assert "Ensure this value has at most 30 characters" in errors["display_name"][0]
    assert "Ensure this value has at most 255 characters" in errors["field_0_value"][0]
    assert _unchanged(alice)


@pytest.mark.django_db
def test_preferences_set_language_and_default_visibility(client_for, alice):
    client = client_for(alice)
    assert 'lang="en"' in client.get(reverse("accounts:preferences")).content.decode()

    response = client.post(
        reverse("accounts:preferences"), {"locale": "fr", "default_visibility": "private"},
    )

    assert response.status_code == 302
    alice.user.refresh_from_db()
    assert alice.user.locale == "fr" and alice.user.default_visibility == "private"
    next_page = client.get(reverse("accounts:preferences"))
    assert 'lang="fr"' in next_page.content.decode()
    assert next_page.context["form"].initial == {"locale": "fr", "default_visibility": "private"}


@pytest.mark.django_db
def test_preferences_refuse_unknown_values(client_for, alice):
    response = client_for(alice).post(
        reverse("accounts:preferences"), {"locale": "xx", "default_visibility": "everyone"},
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"locale", "default_visibility"}
    alice.user.refresh_from_db()
    assert alice.user.locale == "" and alice.user.default_visibility == "public"
