from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.test import override_settings

from config import settings as project_settings


@override_settings(PASSWORD_HASHERS=project_settings.PASSWORD_HASHERS)
def test_passwords_are_hashed_with_argon2id_at_owasp_strength():
    encoded = make_password("a long enough secret")

    assert encoded.startswith("argon2$argon2id$")
    assert "m=19456,t=2,p=1" in encoded
    assert check_password("a long enough secret", encoded)
    assert not check_password("another secret", encoded)


@override_settings(PASSWORD_HASHERS=project_settings.PASSWORD_HASHERS)
def test_older_pbkdf2_hashes_still_log_in():
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    old = PBKDF2PasswordHasher().encode("a long enough secret", "saltsaltsalt", iterations=1000)

    assert identify_hasher(old).algorithm == "pbkdf2_sha256"
    assert check_password("a long enough secret", old)
