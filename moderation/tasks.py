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


# How the sweep is scheduled: by cron or a systemd timer running `manage.py moderation
# sweep` (README.md, "Moderation and operations"), and once at start-up by `make run`.
# Not an actor that re-enqueues itself with a delay: every worker start would add one more
# chain (two workers restarted ten times: twenty sweeps per period), a lost message stops
# the chain with no one noticing, and dramatiq has no scheduler to dedupe them. A cron line
# survives restarts, runs once per period however many workers there are, and its failures
# land in the system's log. This actor stays for a manual nudge from a shell or the admin.
@dramatiq.actor(queue_name="default", max_retries=3)
def moderation_sweep() -> None:
    """Periodic work (also `manage.py moderation sweep`): timed actions, erasures, expired
    IP blocks, unwatched open sign-ups. Safe to run twice (not twice at once: the cron
    line in the README wraps it in flock)."""
    from moderation.services import moderation_sweep as sweep

    sweep()
