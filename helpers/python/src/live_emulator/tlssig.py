"""TLSSigAPIv2 UserSigs (docs/usersig.md), standard library only. Also the Python conformance
adapter's signer (conformance/adapters/python): an implementation independent of our C++ one.
"""
import base64
import hashlib
import hmac
import json
import time
import zlib


def _content(identifier, sdkappid, issued_at, expire, userbuf_b64=None):
    text = (f"TLS.identifier:{identifier}\nTLS.sdkappid:{sdkappid}\n"
            f"TLS.time:{issued_at}\nTLS.expire:{expire}\n")
    if userbuf_b64 is not None:
        text += f"TLS.userbuf:{userbuf_b64}\n"
    return text


def signature(secret_key, identifier, sdkappid, issued_at, expire, userbuf=None):
    """TLS.sig: base64 of HMAC-SHA256 over the content lines, keyed with the app's secret key."""
    userbuf_b64 = base64.b64encode(userbuf).decode() if userbuf is not None else None
    digest = hmac.new(secret_key.encode(), _content(identifier, sdkappid, issued_at, expire, userbuf_b64).encode(),
                      hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def usersig(secret_key, identifier, sdkappid, expire=86400, issued_at=None, userbuf=None):
    """A whole UserSig: the claims as JSON, zlib-compressed, in the vendor's URL-safe base64."""
    issued_at = int(time.time()) if issued_at is None else issued_at
    claims = {"TLS.ver": "2.0", "TLS.identifier": identifier, "TLS.sdkappid": int(sdkappid),
              "TLS.expire": int(expire), "TLS.time": int(issued_at)}
    if userbuf is not None:
        claims["TLS.userbuf"] = base64.b64encode(userbuf).decode()
    claims["TLS.sig"] = signature(secret_key, identifier, sdkappid, issued_at, expire, userbuf)
    packed = base64.b64encode(zlib.compress(json.dumps(claims).encode())).decode()
    return packed.replace("+", "*").replace("/", "-").replace("=", "_")


def decode(token):
    """The claims of a UserSig (for tests)."""
    raw = token.replace("*", "+").replace("-", "/").replace("_", "=")
    return json.loads(zlib.decompress(base64.b64decode(raw)))
