"""What the worker did for one order, read back: its progress, receipt and e-mail.

The demo's order page and flow view show these; they are read through this
service's API because the receipts bucket is the worker's own.
"""

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError
from pydantic import BaseModel, Field

from services.common.errors import NotFound
from services.fulfillment.models import WRITTEN_AT, Ledger, receipt_key, sent_email_key

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class StoredReceipt(BaseModel):
    key: str
    written_at: datetime
    content: dict[str, Any]


class SentEmail(BaseModel):
    message_id: str
    sender: str
    to: list[str]
    subject: str
    body: str
    sent_at: datetime


class FulfilmentRecord(BaseModel):
    order_id: str
    message_id: str = Field(description="The SQS message whose handling took the order.")
    started_at: datetime | None
    done: bool
    receipt: StoredReceipt | None
    email: SentEmail | None


class FulfilmentRecords:
    def __init__(self, s3: "S3Client", bucket: str, ledger: Ledger) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._ledger = ledger

    def get(self, order_id: str) -> FulfilmentRecord:
        try:
            progress = self._ledger.read(order_id)
        except ClientError as error:
            if _missing(error):
                raise NotFound(f"order {order_id!r} has not reached the worker") from None
            raise
        receipt = self._json(receipt_key(order_id))
        email = self._json(sent_email_key(order_id))
        return FulfilmentRecord(
            order_id=order_id,
            message_id=progress.holder,
            started_at=progress.started_at,
            done=progress.done,
            receipt=StoredReceipt(
                key=receipt_key(order_id), written_at=receipt[1], content=receipt[0]
            )
            if receipt
            else None,
            email=SentEmail.model_validate(email[0]) if email else None,
        )

    def _json(self, key: str) -> tuple[dict[str, Any], datetime] | None:
        try:
            answer = self._s3.get_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if _missing(error):
                return None
            raise
        content: dict[str, Any] = json.loads(answer["Body"].read())
        written = answer.get("Metadata", {}).get(WRITTEN_AT)
        return content, datetime.fromisoformat(written) if written else answer["LastModified"]


def _missing(error: ClientError) -> bool:
    return error.response["Error"]["Code"] in {"NoSuchKey", "404", "NotFound"}
