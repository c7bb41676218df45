"""Request signing for the Nuvera partner API, backed by the Rust core.

>>> key = PrivateKey.from_file("private-key.pem")                      # doctest: +SKIP
>>> signer = Signer(key, "nv_live_3f9a2c7d1e")                          # doctest: +SKIP
>>> signed = signer.sign("POST", "https://api.nuvera.global/api/v1/customers", b'{"a":1}')  # doctest: +SKIP
>>> signed.headers                                                      # doctest: +SKIP
{'x-api-key': '…', 'Authorization': 'Bearer eyJ…'}

Every class and function is the native module's (``nuvera_signing._native``, PyO3): types and
docstrings are defined once, in Rust. The exceptions are in :mod:`nuvera_signing.errors`. HTTP
clients: :mod:`nuvera_signing.requests` and :mod:`nuvera_signing.httpx` (optional extras).
"""

from . import _native, errors
from ._native import *  # noqa: F403 - the native module's names, listed in its own __all__
from .errors import *  # noqa: F403

__version__ = "0.1.0"

__all__ = []
__all__ += _native.__all__
__all__ += errors.__all__
# The integrations' helper, which callers reach as `NuveraSigningError.for_code`.
__all__.remove("error_for_code")
