"""Log-in speed: the production hasher's work factor is the measured one, and old hashes still verify."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, identify_hasher
from django.test import override_settings

from config.hashers import TunedPBKDF2PasswordHasher

PRODUCTION = ["config.hashers.TunedPBKDF2PasswordHasher", "django.contrib.auth.hashers.ScryptPasswordHasher"]


def test_work_factor_from_settings():
    with override_settings(PASSWORD_ITERATIONS=600_000):
        assert TunedPBKDF2PasswordHasher().iterations == 600_000
        encoded = TunedPBKDF2PasswordHasher().encode("Passw0rd-Test-2026", "salt1234salt")
        assert encoded.startswith("pbkdf2_sha256$600000$")


def test_old_hashes_verify_and_are_rehashed():
    old = PBKDF2PasswordHasher().encode("Passw0rd-Test-2026", "salt1234salt")  # Django's 1,000,000
    upgraded = []
    with override_settings(PASSWORD_HASHERS=PRODUCTION, PASSWORD_ITERATIONS=600_000):
        assert check_password("Passw0rd-Test-2026", old, setter=upgraded.append)
        assert upgraded == ["Passw0rd-Test-2026"]
        assert isinstance(identify_hasher(old), TunedPBKDF2PasswordHasher)
