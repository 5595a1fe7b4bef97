from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane). Memory-hard, so as
    strong against GPUs as PBKDF2 at 600,000+ rounds while costing a tenth of the CPU: a
    sign-up surge is bounded by hashing, and this keeps it off the critical path. The
    parameters travel inside each hash, so changing them later still verifies old ones."""

    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
