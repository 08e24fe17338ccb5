"""The dead-letter queue, for humans: look at what failed, send it back once fixed."""

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


class DeadLetter(BaseModel):
    message_id: str
    body: str = Field(description="The message as it arrived (first 4 KiB).")
    receive_count: int = Field(description="Receives in the dead-letter queue (peeks count).")


class DeadLetterReport(BaseModel):
    queue: str
    approximate_count: int
    sample: list[DeadLetter] = Field(description="Up to 10 of them.")


class DeadLetters:
    def __init__(self, sqs: "SQSClient", queue: str, dead_letter_queue: str) -> None:
        self._sqs = sqs
        self._name = dead_letter_queue
        self._url: str = sqs.get_queue_url(QueueName=dead_letter_queue)["QueueUrl"]
        self._source_url: str = sqs.get_queue_url(QueueName=queue)["QueueUrl"]

    def report(self) -> DeadLetterReport:
        """A peek: messages are received with a zero visibility timeout, so they stay put."""
        count = self._sqs.get_queue_attributes(
            QueueUrl=self._url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]["ApproximateNumberOfMessages"]
        messages = self._sqs.receive_message(
            QueueUrl=self._url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=0,
            MessageSystemAttributeNames=["ApproximateReceiveCount"],
        ).get("Messages", [])
        return DeadLetterReport(
            queue=self._name,
            approximate_count=int(count),
            sample=[
                DeadLetter(
                    message_id=message["MessageId"],
                    body=message["Body"][:4096],
                    receive_count=int(message["Attributes"]["ApproximateReceiveCount"]),
                )
                for message in messages
            ],
        )

    def redrive(self) -> int:
        """Move every dead letter back to the work queue; returns how many moved."""
        moved = 0
        while True:
            messages = self._sqs.receive_message(
                QueueUrl=self._url,
                MaxNumberOfMessages=10,
                VisibilityTimeout=60,
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not messages:
                return moved
            for message in messages:
                self._sqs.send_message(
                    QueueUrl=self._source_url,
                    MessageBody=message["Body"],
                    MessageAttributes=message.get("MessageAttributes", {}),
                )
                self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"])
                moved += 1

    def ping(self) -> None:
        self._sqs.get_queue_attributes(QueueUrl=self._source_url, AttributeNames=["QueueArn"])
