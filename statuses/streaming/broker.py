"""Where streaming events travel: Redis pub/sub when REDIS_URL is set (every web process
sees every event), else an in-process broadcaster of thread-safe queues (the embedded
default: one process serves the streams and runs the tasks that publish).

Messages are small dicts of ids (`{"event": "update", "id": 1}`), never rendered entities:
each subscriber renders for its own viewer after the visibility check (events.py)."""

import json
import queue
import threading
from collections import defaultdict

from django.conf import settings

from statuses.feeds import redis_client

QUEUE_SIZE = 1000


def _prefixed(channel: str) -> str:
    # Pub/sub ignores Redis database numbers: two instances on one Redis server stay apart.
    return f"{settings.LOCAL_DOMAIN}/{channel}"


class LocalSubscription:
    def __init__(self, hub: "LocalHub", channels: list[str]):
        self.hub, self.channels = hub, channels
        self.queue: queue.Queue = queue.Queue(maxsize=QUEUE_SIZE)

    def get(self, timeout: float) -> dict | None:
        try:
            return self.queue.get(timeout=max(timeout, 0))
        except queue.Empty:
            return None

    def close(self) -> None:
        self.hub.unsubscribe(self)


class LocalHub:
    def __init__(self):
        self.lock = threading.Lock()
        self.subscribers: dict[str, set[LocalSubscription]] = defaultdict(set)

    def publish(self, channels: list[str], message: dict) -> None:
        with self.lock:
            targets = {s for c in channels for s in self.subscribers.get(c, ())}
        for subscription in targets:
            try:
                subscription.queue.put_nowait(message)
            except queue.Full:
                pass  # a reader that stopped reading loses events, never blocks publishers

    def subscribe(self, channels: list[str]) -> LocalSubscription:
        subscription = LocalSubscription(self, channels)
        with self.lock:
            for channel in channels:
                self.subscribers[channel].add(subscription)
        return subscription

    def unsubscribe(self, subscription: LocalSubscription) -> None:
        with self.lock:
            for channel in subscription.channels:
                self.subscribers[channel].discard(subscription)
                if not self.subscribers[channel]:
                    del self.subscribers[channel]


class RedisSubscription:
    def __init__(self, client, channels: list[str]):
        self.pubsub = client.pubsub()
        names = list(dict.fromkeys(_prefixed(c) for c in channels))
        self.pubsub.subscribe(*names)
        self.pending: list[dict] = []
        # Wait for Redis to confirm: once the stream tells its client it is open, no event
        # published afterwards may be missed.
        confirmed = 0
        while confirmed < len(names):
            message = self.pubsub.get_message(timeout=5)
            if message is None:
                break
            if message.get("type") == "subscribe":
                confirmed += 1
            elif message.get("type") == "message":
                self.pending.append(message)

    def get(self, timeout: float) -> dict | None:
        if self.pending:
            message = self.pending.pop(0)
        else:
            message = self.pubsub.get_message(timeout=max(timeout, 0))
        if message is None or message.get("type") != "message":
            return None
        try:
            return json.loads(message["data"])
        except (TypeError, ValueError):
            return None

    def close(self) -> None:
        self.pubsub.close()


local_hub = LocalHub()


def publish(channels: list[str], message: dict) -> None:
    """Send one message to each channel (a set of channels: one delivery per subscriber)."""
    channels = list(dict.fromkeys(channels))
    if not channels:
        return
    client = redis_client()
    if client is None:
        local_hub.publish(channels, message)
        return
    data = json.dumps(message)
    with client.pipeline(transaction=False) as pipe:
        for channel in channels:
            pipe.publish(_prefixed(channel), data)
        pipe.execute()


def subscribe(channels: list[str]):
    """A subscription with `get(timeout) -> message | None` and `close()`."""
    client = redis_client()
    if client is None:
        return local_hub.subscribe(channels)
    return RedisSubscription(client, channels)
