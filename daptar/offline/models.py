from django.conf import settings
from django.db import models


class SentOnce(models.Model):
    """A write a phone sent under an idempotency key.

    The phone keeps the key with the work it holds and sends it again until an answer
    comes back, so the same key from the same user must find the first write and make
    nothing twice, whichever of several tries the server saw.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    kind = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # The lookup on every keyed write, and what makes two racing tries one.
            models.UniqueConstraint(fields=["user", "key"], name="sent_once_per_user_key"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
