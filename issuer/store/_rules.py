"""Rules both issuer backends apply the same way: status-list parameters, random index
allocation, and the credential status lifecycle."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pidm.errors import Conflict, MalformedValueError, shorten

from .base import CredentialStatus, StatusList, StatusListFull, StatusListState

Rng = Callable[[int], bytes]

#: Random draws before falling back to choosing among the free indices. A miss this many times
#: in a row means the list is (nearly) full: at 90 % full it happens with probability ~3 %.
RANDOM_TRIES = 32
STATUS_SIZES = (1, 2, 4, 8)


def randbelow(n: int, rng: Rng) -> int:
    """Uniform integer in ``[0, n)`` from ``rng`` bytes, by rejection sampling."""
    if n <= 0:
        raise ValueError("randbelow needs n > 0")
    bits = (n - 1).bit_length()
    nbytes = max(1, (bits + 7) // 8)
    mask = (1 << bits) - 1
    while True:
        value = int.from_bytes(rng(nbytes), "big") & mask
        if value < n:
            return value


def check_list_params(status_list: StatusList) -> int:
    """Validate size parameters; return the bitstring length in bytes."""
    if status_list.status_size not in STATUS_SIZES:
        raise MalformedValueError(
            f"'status_size' must be one of {STATUS_SIZES}, got {shorten(status_list.status_size)}"
        )
    total = status_list.size * status_list.status_size
    if status_list.size <= 0 or total % 8:
        raise MalformedValueError(
            f"'size' must be positive with size * status_size a multiple of 8, "
            f"got {shorten(status_list.size)}"
        )
    return total // 8


def check_entry(list_id: str, size: int, status_size: int, index: int, value: int) -> None:
    """Refuse an index outside the list or a value that does not fit in ``status_size`` bits."""
    if not 0 <= index < size:
        raise MalformedValueError(
            f"'index' {shorten(index)} outside status list {shorten(list_id)} of size {size}"
        )
    if not 0 <= value < (1 << status_size):
        raise MalformedValueError(
            f"'value' {shorten(value)} does not fit in {status_size} status bit(s)"
        )


def fresh_state(status_list: StatusList, nbytes: int) -> StatusListState:
    """The state of a just-created list: every entry 0, version 0, nothing allocated."""
    return StatusListState(
        list_id=status_list.list_id,
        purpose=status_list.purpose,
        size=status_list.size,
        status_size=status_list.status_size,
        bits=bytes(nbytes),
        version=0,
        allocated=0,
        created_at=status_list.created_at,
        updated_at=status_list.created_at,
    )


def unknown_list(list_id: str) -> Conflict:
    return Conflict(f"unknown status list {shorten(list_id)}")


def check_transition(credential_id: str, old: CredentialStatus, new: CredentialStatus) -> None:
    """Revocation is final: refuse moving a revoked credential to another status."""
    if old is CredentialStatus.REVOKED and new is not CredentialStatus.REVOKED:
        raise Conflict(f"credential {shorten(credential_id)} is revoked; revocation is final")


async def allocate(
    list_id: str,
    size: int,
    rng: Rng,
    try_claim: Callable[[int], Awaitable[bool]],
    allocated: Callable[[], Awaitable[set[int]]],
) -> int:
    """Claim a random free index: random draws first, then a random pick among the free ones.

    ``try_claim(i)`` must atomically insert ``i`` into the list's allocation table and say
    whether this call did so (the primary key makes concurrent claims of one index exclusive).
    """
    for _ in range(RANDOM_TRIES):
        index = randbelow(size, rng)
        if await try_claim(index):
            return index
    while True:
        taken = await allocated()
        if len(taken) >= size:
            raise StatusListFull(
                f"status list {shorten(list_id)} is full ({size} of {size} indices allocated)"
            )
        free = [i for i in range(size) if i not in taken]
        index = free[randbelow(len(free), rng)]
        if await try_claim(index):
            return index
