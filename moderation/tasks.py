import dramatiq


@dramatiq.actor(queue_name="mail", max_retries=8)
def strike_email_send(strike_id: int) -> None:
    """Tell an account's owner by e-mail about a moderation decision."""
    from moderation.mail import strike_email

    strike_email(strike_id=strike_id)


@dramatiq.actor(queue_name="deliveries", max_retries=5)
def report_forward(report_id: int) -> None:
    """Send a report's Flag to the reported account's server."""
    from moderation.reports import report_forward_deliver

    report_forward_deliver(report_id=report_id)


@dramatiq.actor(queue_name="deliveries", max_retries=5)
def account_suspension_federate(account_id: int) -> None:
    """Tell known servers a suspended local account is gone."""
    from moderation.services import account_suspension_deliver

    account_suspension_deliver(account_id=account_id)


@dramatiq.actor(queue_name="default", max_retries=3)
def moderation_sweep() -> None:
    """Periodic work (also `manage.py moderation sweep`): timed actions, erasures, expired
    IP blocks, unwatched open sign-ups."""
    from moderation.services import moderation_sweep as sweep

    sweep()
