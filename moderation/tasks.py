import dramatiq


@dramatiq.actor(queue_name="mail", max_retries=8)
def strike_email_send(strike_id: int) -> None:
    """Tell an account's owner by e-mail about a moderation decision."""
    from moderation.mail import strike_email

    strike_email(strike_id=strike_id)


@dramatiq.actor(queue_name="default", max_retries=3)
def moderation_sweep() -> None:
    """Periodic work (also `manage.py moderation sweep`): timed actions, erasures, expired
    IP blocks, unwatched open sign-ups."""
    from moderation.services import moderation_sweep as sweep

    sweep()
