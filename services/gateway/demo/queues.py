"""Queue depths and dead-letter wiring, read with GetQueueAttributes only (never a receive)."""

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class QueueInfo:
    name: str
    url: str
    visible: int
    in_flight: int
    delayed: int
    dead_letter_queue: str | None = None
    """Where this queue's failures go (its RedrivePolicy)."""
    max_receives: int | None = None
    feeds_from: list[str] = field(default_factory=list)
    """Queues whose failures land here: non-empty means this is a dead-letter queue."""

    @property
    def is_dead_letter_queue(self) -> bool:
        return bool(self.feeds_from)


def queue_overview(sqs: Any, prefix: str = "") -> list[QueueInfo]:
    urls = []
    for page in sqs.get_paginator("list_queues").paginate(QueueNamePrefix=prefix):
        urls += page.get("QueueUrls", [])
    queues = {}
    for url in sorted(urls):
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        info = QueueInfo(
            name=url.rsplit("/", 1)[-1],
            url=url,
            visible=int(attributes.get("ApproximateNumberOfMessages", 0)),
            in_flight=int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
            delayed=int(attributes.get("ApproximateNumberOfMessagesDelayed", 0)),
        )
        if "RedrivePolicy" in attributes:
            policy = json.loads(attributes["RedrivePolicy"])
            info.dead_letter_queue = str(policy["deadLetterTargetArn"]).rsplit(":", 1)[-1]
            info.max_receives = int(policy["maxReceiveCount"])
        queues[info.name] = info
    for info in queues.values():
        if info.dead_letter_queue in queues:
            queues[info.dead_letter_queue].feeds_from.append(info.name)
    return list(queues.values())
