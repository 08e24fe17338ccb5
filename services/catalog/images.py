"""Product images live in S3 and never pass through the service.

Clients upload and download directly with presigned URLs. Those URLs are signed
for the endpoint the *client* reaches (``PUBLIC_AWS_ENDPOINT_URL``), which is not
the one this service reaches from inside the compose network.
"""

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError
from pydantic import BaseModel, Field

from services.common.errors import NotFound

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class UploadTicket(BaseModel):
    upload_url: str
    method: str = "PUT"
    headers: dict[str, str] = Field(description="Send these headers with the upload.")
    expires_in: int = Field(description="Seconds the URL stays valid.")


class ImageStore:
    def __init__(
        self, s3: "S3Client", presigner: "S3Client", bucket: str, expiry_seconds: int
    ) -> None:
        self._s3 = s3
        self._presigner = presigner
        self._bucket = bucket
        self._expiry = expiry_seconds

    @staticmethod
    def key(product_id: str) -> str:
        return f"products/{product_id}/image"

    def upload_ticket(self, product_id: str, content_type: str) -> UploadTicket:
        url = self._presigner.generate_presigned_url(
            "put_object",
            Params={
                "Bucket": self._bucket,
                "Key": self.key(product_id),
                "ContentType": content_type,
            },
            ExpiresIn=self._expiry,
        )
        return UploadTicket(
            upload_url=url, headers={"Content-Type": content_type}, expires_in=self._expiry
        )

    def download_url(self, product_id: str) -> str:
        """A presigned GET for the image; NotFound if none was uploaded."""
        try:
            self._s3.head_object(Bucket=self._bucket, Key=self.key(product_id))
        except ClientError as error:
            if error.response["Error"]["Code"] in {"404", "NoSuchKey", "NotFound"}:
                raise NotFound(f"product {product_id!r} has no image yet") from None
            raise
        url: str = self._presigner.generate_presigned_url(
            "get_object",
            Params={"Bucket": self._bucket, "Key": self.key(product_id)},
            ExpiresIn=self._expiry,
        )
        return url

    def delete(self, product_id: str) -> None:
        self._s3.delete_object(Bucket=self._bucket, Key=self.key(product_id))

    def ping(self) -> None:
        """Readiness: the bucket exists and answers."""
        self._s3.head_bucket(Bucket=self._bucket)
