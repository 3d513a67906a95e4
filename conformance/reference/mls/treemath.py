"""Array-based tree math (RFC 9420 §4.2, Appendix C): nodes of a full binary tree numbered
left to right, leaves at the even indices. RFC 9420 trees are always full: the number of
leaves is a power of two (§7.8: a tree is extended by doubling it)."""

from __future__ import annotations

from ...errors import InvalidInput

__all__ = ["left", "level", "node_width", "parent", "right", "root", "sibling"]

_MAX_LEAVES = 1 << 31


def _check(n_leaves: int) -> None:
    if n_leaves < 1 or n_leaves > _MAX_LEAVES or n_leaves & (n_leaves - 1):
        raise InvalidInput(f"{n_leaves} leaves: an RFC 9420 tree has a power of two (§7.8)")


def level(x: int) -> int:
    """The number of trailing one bits of ``x``: 0 for a leaf (Appendix C)."""
    k = 0
    while (x >> k) & 1:
        k += 1
    return k


def node_width(n_leaves: int) -> int:
    """2n - 1 nodes for n leaves (Appendix C)."""
    _check(n_leaves)
    return 2 * (n_leaves - 1) + 1


def root(n_leaves: int) -> int:
    """(1 << log2(width)) - 1 (Appendix C)."""
    w = node_width(n_leaves)
    return (1 << (w.bit_length() - 1)) - 1


def _check_node(x: int, n_leaves: int) -> None:
    if x < 0 or x >= node_width(n_leaves):
        raise InvalidInput(f"node {x} is outside a tree of {n_leaves} leaves")


def left(x: int) -> int | None:
    """x ^ (1 << (k - 1)) for a node of level k > 0; None for a leaf."""
    k = level(x)
    return None if k == 0 else x ^ (0x01 << (k - 1))


def right(x: int) -> int | None:
    """x ^ (3 << (k - 1)) for a node of level k > 0; None for a leaf."""
    k = level(x)
    return None if k == 0 else x ^ (0x03 << (k - 1))


def parent(x: int, n_leaves: int) -> int | None:
    """(x | (1 << k)) ^ (b << (k + 1)), b the bit above the level (Appendix C); None for the
    root."""
    _check_node(x, n_leaves)
    if x == root(n_leaves):
        return None
    k = level(x)
    b = (x >> (k + 1)) & 0x01
    return (x | (1 << k)) ^ (b << (k + 1))


def sibling(x: int, n_leaves: int) -> int | None:
    """The other child of the parent; None for the root."""
    p = parent(x, n_leaves)
    if p is None:
        return None
    return right(p) if x < p else left(p)
