"""``MlsPassiveReference``: the ``mls-passive-client`` capability
(:class:`conformance.capabilities.mls_protocol.MlsPassiveClient`) over :mod:`.group`."""

from __future__ import annotations

from ...capabilities.mls_protocol import BlobError, join_blobs, split_blobs
from ...errors import InvalidInput
from .aead import Aead
from .crypto import Hpke, Signatures
from .group import Toolkit, join

__all__ = ["MlsPassiveReference"]


def _blobs(blob: bytes, what: str) -> list[bytes]:
    try:
        return split_blobs(blob)
    except BlobError as exc:
        raise InvalidInput(f"{what}: {exc}") from None


class MlsPassiveReference:
    """A member that joins by Welcome and follows the group (test-vectors.md "Passive
    Client"), for cipher suites 1-7."""

    def __init__(self, signatures: Signatures, hpke: Hpke, aead: Aead) -> None:
        self._kit = Toolkit(signatures, hpke, aead)

    def mls_passive_client(
        self,
        cipher_suite: int,
        key_package: bytes,
        signature_priv: bytes,
        encryption_priv: bytes,
        init_priv: bytes,
        welcome: bytes,
        ratchet_tree: bytes,
        external_psks: bytes,
        epochs: bytes,
    ) -> bytes:
        """Join, then process every epoch's proposals and commit; the epoch_authenticators.
        ``signature_priv`` is not needed: a passive client signs nothing."""
        psk_items = _blobs(external_psks, "external_psks")
        if len(psk_items) % 2:
            raise InvalidInput("external_psks: an odd number of items (psk_id, psk pairs)")
        psks = dict(zip(psk_items[::2], psk_items[1::2], strict=True))
        member = join(
            self._kit,
            key_package,
            init_priv,
            encryption_priv,
            welcome,
            ratchet_tree or None,
            psks,
        )
        if member.cs.code != cipher_suite:
            raise InvalidInput(f"the Welcome is of cipher suite {member.cs.code}")
        out = [member.epoch_authenticator]
        for index, epoch in enumerate(_blobs(epochs, "epochs")):
            messages = _blobs(epoch, f"epoch {index}")
            if not messages:
                raise InvalidInput(f"epoch {index} has no commit")
            for message in messages:
                member.process(message)
            out.append(member.epoch_authenticator)
        return join_blobs(out)
