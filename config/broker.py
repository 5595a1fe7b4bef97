"""The in-process task broker of the embedded default: a message runs as soon as it is
enqueued (services enqueue on commit, so it runs after the transaction)."""

import logging

from dramatiq.brokers.stub import StubBroker

logger = logging.getLogger(__name__)


class InlineBroker(StubBroker):
    def enqueue(self, message, *, delay=None):
        actor = self.get_actor(message.actor_name)
        try:
            actor.fn(*message.args, **message.kwargs)
        except Exception:
            # A side effect failing must not turn the user's committed action into an error page;
            # the sweeps re-run durable work (deliveries, received activities).
            logger.exception("task %s failed", message.actor_name)
            if self.raise_errors:
                raise
        return message

    # Tests turn this on so that a broken task fails the test that triggered it.
    raise_errors = False
