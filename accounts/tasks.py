import dramatiq


@dramatiq.actor(queue_name="default", max_retries=5)
def account_generate_keys(account_id: int) -> None:
    """Give a local account its key pair, off the request path; no-op if it has one."""
    from accounts.services import account_keys_ensure

    account_keys_ensure(account_id=account_id)


@dramatiq.actor(queue_name="default", max_retries=3)
def key_pool_refill() -> None:
    """Make key pairs ahead of sign-ups (queued by the periodic sweep; the `default` worker
    runs at a lower CPU priority, see the README)."""
    from accounts.services import key_pool_refill as refill

    refill()


@dramatiq.actor(queue_name="mail", max_retries=8)
def send_confirmation_email(user_id: int) -> None:
    from accounts.mail import confirmation_email_send

    confirmation_email_send(user_id=user_id)
