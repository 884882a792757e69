"""Small patches to Rasa Open Source's internals, each explained, tested and pinned to its version.

Applied by `connectors.server` before Rasa starts. A Rasa upgrade must re-check each one: `apply`
refuses to patch any other version.
"""

import rasa

PINNED_VERSION = "3.6.21"


def apply() -> None:
    if rasa.__version__ != PINNED_VERSION:
        raise RuntimeError(
            f"connectors/rasa_patches.py was written for Rasa {PINNED_VERSION}, not {rasa.__version__}: "
            "check each patch against the new version, then update PINNED_VERSION"
        )
