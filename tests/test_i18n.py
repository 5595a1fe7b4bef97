"""Issue 2: all UI text is translatable; English and French ship complete; each user picks a
language, and the server's default is a setting (DEFAULT_LANGUAGE → LANGUAGE_CODE).

The French catalogue is locale/fr/LC_MESSAGES/django.po, compiled to django.mo and both
committed, so `make run` and CI need no gettext. The tests parse the .po with Python (polib
is not a dependency) and also ask msgfmt when it is installed."""

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import User
from statuses.services import status_create
from tests.factories import PASSWORD, make_local_account

BASE_DIR = Path(settings.BASE_DIR)
PO_PATH = BASE_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|<[^>]+>")


# --- the catalogue ------------------------------------------------------------------------


def _unquote(text: str) -> str:
    return text.encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr / msgstr[n], flags.
    Obsolete entries (#~) are left out, as msgfmt does."""
    entries, entry, key = [], {}, None

    def flush():
        if "msgid" in entry:
            entries.append(dict(entry))
        entry.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            flush()
        elif line.startswith("#,"):
            entry["flags"] = {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += _unquote(line[1:-1])
        else:
            key, _, value = line.partition(" ")
            entry[key] = _unquote(value.strip()[1:-1])
    flush()
    return entries


@pytest.fixture(scope="module")
def entries():
    assert PO_PATH.exists(), (
        "run `manage.py makemessages -l fr --no-obsolete --ignore='tests/*'` and translate"
    )
    return parse_po(PO_PATH)


def test_the_french_catalogue_is_complete(entries):
    header = entries[0]
    assert header["msgid"] == ""
    assert "fuzzy" not in header.get("flags", set()), "a fuzzy header loses the plural rule"
    assert "Language: fr\n" in header["msgstr"]
    assert "Plural-Forms: nplurals=2; plural=(n > 1);" in header["msgstr"]

    messages = entries[1:]
    assert len(messages) > 300
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e.get("flags", set())]
    untranslated = [
        e["msgid"] for e in messages
        if not all(e[key] for key in e if key.startswith("msgstr"))
    ]
    assert fuzzy == []
    assert untranslated == []


def test_translations_keep_placeholders_and_plurals(entries):
    for entry in entries[1:]:
        if "msgid_plural" in entry:
            assert set(entry) >= {"msgstr[0]", "msgstr[1]"}, entry["msgid"]
            pairs = [(entry["msgid"], entry["msgstr[0]"]), (entry["msgid_plural"], entry["msgstr[1]"])]
        else:
            pairs = [(entry["msgid"], entry["msgstr"])]
        for source, translation in pairs:
            assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(translation)), (
                source, translation,
            )


def test_the_compiled_catalogue_matches_the_po(entries):
    """The committed .mo is built from the committed .po (re-run compilemessages)."""
    compiled = gettext.GNUTranslations(MO_PATH.open("rb"))
    assert compiled.ngettext("a", "b", 1) == "a" and compiled.plural(0) == 0 and compiled.plural(2) == 1
    for entry in entries[1:]:
        context = entry.get("msgctxt")
        if "msgid_plural" in entry:
            for n, key in ((1, "msgstr[0]"), (2, "msgstr[1]")):
                got = (compiled.npgettext(context, entry["msgid"], entry["msgid_plural"], n) if context
                       else compiled.ngettext(entry["msgid"], entry["msgid_plural"], n))
                assert got == entry[key], entry["msgid"]
        else:
            got = (compiled.pgettext(context, entry["msgid"]) if context
                   else compiled.gettext(entry["msgid"]))
            assert got == entry["msgstr"], entry["msgid"]


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
def test_msgfmt_accepts_the_catalogue():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO_PATH)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def test_templates_have_no_untranslated_text():
    """Text between tags, and title/alt/placeholder/aria-label attributes, go through
    {% translate %} or {% blocktranslate %} (or come from a variable)."""
    template_tag = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
    allowed = {"SHA-256:"}
    raw = []
    for path in sorted((BASE_DIR / "templates").rglob("*.html")):
        text = re.sub(r"{%\s*blocktranslate.*?endblocktranslate\s*%}", " ", path.read_text(), flags=re.S)
        text = re.sub(r"<(script|style)\b.*?</\1>", " ", template_tag.sub(" ", text), flags=re.S)
        texts = re.split(r"<[^>]*>", text)
        attributes = re.findall(r'\b(?:title|alt|placeholder|aria-label)="([^"]*)"', text)
        for found in texts + attributes:
            words = " ".join(found.split())
            if re.search(r"[A-Za-z]{2,}", words) and words not in allowed:
                raw.append(f"{path.relative_to(BASE_DIR)}: {words!r}")
    assert raw == []


# --- each user picks a language -----------------------------------------------------------


def _page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_a_user_who_chose_french_gets_the_home_page_in_french(alice, client_for):
    alice.user.locale = "fr"
    alice.user.save(update_fields=["locale"])
    status_create(author=alice, text="Premier pouet")
    # Their choice wins over what the browser asks for.
    html = _page(client_for(alice).get(reverse("statuses:home"), HTTP_ACCEPT_LANGUAGE="en"))
    assert '<html lang="fr"' in html
    for french in ("Accueil", "Notifications", "Favoris", "Préférences", "Se déconnecter",
                   "Nouveau message", "Votre fil", "À propos de ce serveur", "Qu’avez-vous en tête",
                   "Publier", "Répondre", "Partager", "Ajouter aux favoris", "Premier pouet"):
        assert french in html, french
    for english in ("Log out", "New post", "Your timeline", "Preferences", "Favourite", "Boost"):
        assert english not in html, english


def test_a_user_who_chose_french_keeps_it_on_the_sign_up_page_after_logging_out(alice, client_for):
    client = client_for(alice)
    saved = client.post(reverse("accounts:preferences"),
                        {"locale": "fr", "default_visibility": "public"})
    assert saved.status_code == 302
    assert saved.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    # Logged in, the sign-up page sends them home, in French.
    home = _page(client.get(reverse("accounts:signup"), follow=True))
    assert '<html lang="fr"' in home and "Se déconnecter" in home

    client.post(reverse("accounts:logout"))
    html = _page(client.get(reverse("accounts:signup")))
    assert '<html lang="fr"' in html
    for french in ("S’inscrire", "Rejoindre", "Nom d’utilisateur", "Adresse e-mail",
                   "Mot de passe", "Vous avez déjà un compte", "Se connecter"):
        assert french in html, french
    assert "Sign up" not in html and "Password" not in html


def test_an_anonymous_visitor_asking_for_french_gets_the_landing_page_in_french(client, db):
    html = _page(client.get(reverse("landing"), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5"))
    assert '<html lang="fr"' in html
    for french in ("Créer un compte", "Se connecter", "Messages récents", "fédivers", "Fédéré"):
        assert french in html, french
    assert "Create an account" not in html and "Recent posts" not in html


def test_an_anonymous_visitor_asking_for_english_gets_english(client, db):
    html = _page(client.get(reverse("landing"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9"))
    assert '<html lang="en"' in html
    assert "Create an account" in html and "Créer un compte" not in html


def test_signing_up_in_french_keeps_french_for_the_account_and_its_mail(
    client, db, django_capture_on_commit_callbacks, mailoutbox,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:signup"),
            {"username": "zoe", "email": "zoe@example.com", "password": PASSWORD, "agreement": "on"},
            HTTP_ACCEPT_LANGUAGE="fr",
        )
    assert response.status_code == 302
    assert User.objects.get(username="zoe").locale == "fr"
    (message,) = mailoutbox
    assert message.subject.startswith("Confirmez votre adresse e-mail")
    assert "Bonjour zoe" in message.body


# --- the server's default language --------------------------------------------------------


def test_default_language_is_what_a_visitor_without_preference_gets(client, db, settings):
    settings.LANGUAGE_CODE = "fr"
    html = _page(client.get(reverse("landing")))
    assert '<html lang="fr"' in html
    assert "Créer un compte" in html and "Create an account" not in html
    # A browser that asks for English still gets English, and a user's choice still wins.
    assert "Create an account" in _page(client.get(reverse("landing"), HTTP_ACCEPT_LANGUAGE="en"))
    bob = make_local_account("bob", locale="en")
    client.force_login(bob.user)
    assert '<html lang="en"' in _page(client.get(reverse("statuses:home")))


def test_default_language_is_read_from_the_DEFAULT_LANGUAGE_variable():
    code = "from django.conf import settings; print(settings.LANGUAGE_CODE)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
                               f"'config.settings'); django.setup(); {code}"],
        capture_output=True, text=True, cwd=BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "DEFAULT_LANGUAGE": "fr", "DJANGO_SETTINGS_MODULE": "config.settings"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "fr"
