"""Regenerate the code table in specs/errors.md from pidm.errors (run after adding a code)."""

from __future__ import annotations

from pathlib import Path

from pidm.errors import all_error_classes

HEADER = """# pidm error codes

Every error pidm raises carries one of these stable codes. Services answer with the HTTP status
shown, as RFC 9457 problem details (`type`, `code`, `title`, `status`, `detail`) on the VC-API style
endpoints, and as OAuth `error` / `error_description` on the OpenID4VCI / OpenID4VP endpoints.
`check` is the verification-result check the error is reported under. Codes defined by a W3C
specification use that specification's exact string and type URL. Released codes never change.

| code | meaning | check | HTTP | type |
| --- | --- | --- | --- | --- |
"""


def main() -> None:
    rows = []
    for cls in sorted(all_error_classes(), key=lambda c: c.code):
        doc = (cls.__doc__ or "").strip().splitlines()
        own_doc = doc and cls.__doc__ != cls.__mro__[1].__doc__
        meaning = cls.title + (f" — {doc[0]}" if own_doc else "")
        rows.append(
            f"| `{cls.code}` | {meaning} | {cls.check or '-'} | {cls.http_status} "
            f"| {cls.type_base}{cls.code} |"
        )
    Path("specs/errors.md").write_text(HEADER + "\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
