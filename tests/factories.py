"""Test personas and objects, built through the services like real ones.

The key pair below exists only for tests, so no test spends time generating RSA keys."""

import io
import struct
import zlib

from PIL import Image

from accounts.models import Account
from accounts.services import account_create_local

PASSWORD = "correct horse battery staple"


def make_local_account(username: str, **kwargs) -> Account:
    kwargs.setdefault("confirmed", True)
    return account_create_local(
        username=username, email=f"{username}@example.com", password=PASSWORD, **kwargs,
    )


def make_remote_account(username: str, domain: str, **kwargs) -> Account:
    uri = f"https://{domain}/users/{username}"
    return Account.objects.create(
        username=username, domain=domain, uri=uri, url=f"https://{domain}/@{username}",
        inbox_url=f"{uri}/inbox", shared_inbox_url=f"https://{domain}/inbox",
        public_key=FIXED_PUBLIC_KEY, **kwargs,
    )


def image_file(size=(64, 48), fmt="PNG", color=(30, 120, 200), name="picture.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def bomb_png_file(side=60000, name="bomb.png"):
    """A valid black 1-bit PNG of side×side pixels: about 2 MB on disk, gigabytes once
    decoded. Written by hand because Pillow takes ~15 s to encode one that size."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"\x00" * (1 + side // 8) * 1000  # each row: filter byte 0, then side bits of 0
    compressor = zlib.compressobj(1)
    idat = b"".join(compressor.compress(rows) for _ in range(side // 1000)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    return SimpleUploadedFile(name, data, content_type="image/png")


FIXED_PRIVATE_KEY = """-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQC9pzU4NLXwiO+c
wR5/PkHncoSMvRtse6YlgmJjQG9rV4rYEzvCwP1w10y+zBu9QZaT/da54D+ZG7E/
h0N3TTjZLk6xrEyVm0S2HnCkvIspjANAl6mpywS73xzX1OAIt8YRdxHlvBkFQCvn
eTFH4PWfqzAD7Fu55KFvCOO9gOCM3bBRnJcsEk0jUFdS9PA0AKPGtbU1OLrKpGEz
0Tm915dnEhD6JNJZgDA28k1n0NrDNXhE710/JSpzhbQOKVXaeshfEbfjMOWa+2cp
2qT0jjthGlLydABTcwrNF3WMGAsm8VOpG3V0Bc7O5hbGtqvWYOZsbOOX4FB2N6f3
/7SAkdl1AgMBAAECggEAAWivF+IBQNRVrLPMbkHmBDfYCfwkQje03l6nNg6Mp7jq
74ertzAsswOEYJtNiYbcOtRfzQS0e/OvI/M3nS9L/m476pPNwXoa1jiihcerGHop
HngdOlqin94oeYe0mgAgZWZ8g6TnZuc7axTTNBDQKNd8YJc7dhrWGi8yhL4NhxRK
JrG4/djSdYQo/aXRR4kye7TxPe6RC7E/IU3X0ANheVeEMSdz4g6ggtxP59ahQoPQ
uNXwi3QLsFOC/GF+08zGaIj9zyidxYFFnLodhF+XOcqElSLS+bAJ8SyzGl1044ew
hmdh90ECEl59TEJqe/nPc7fnbayqYVHcAcWKGsStUQKBgQDgYzgao2NixwHdQKW/
fImYlaHoJ72zA8+phQLooNwU5GqED3u6y6MgcxT6E8TDTSHYp5bm/MLE79abOxtz
437VCK15f1FkcYxPUxkvXI7Kt9za+GvwLeluMlOT3Pus3VouVqW0B3ZcfayK5GVc
gywWSwMLvaiPdeYOQZqnYKR7GQKBgQDYX0EZ6w76MMlxohAIyx3/N36MH4bh8C1U
3OL56h71uGsiChgMCic7j0eD9FnhA0Fe6Nwm47YDSPX3Lju0FW/ZhtQKRpf2mzWf
AsjPJIlBrtZjpHYrvs2MRStH3HHphrzUM4jZu+6XrNu9A3ekv2qXJKnYqIS/CEZP
DozYEhG4vQKBgGP0jud+5ST5VaFDzRHx3jF0Zn1ORrjZ98WiFNuf3KoJ3lEZvJpH
YFFyMmP8Lmh5kZw7e4NGEVU9KbJYsC/9pWAsz2oSByXhVwl3EP8CEjHHmcCJbTu+
l/+Yt5ZkmFA3ApclzgbWVCl7akMs3uJJJHiBzceLIu1VLbgoDUaGTH7xAoGAbmSj
FXMtUA7mKFjUL3haVKVepmVLbykYJ80O7Q07QIkX9+UIgdQIUkX26ecYmEoN5zuN
XzYc3i4yeCuZgHbTeztkId4EmGh2AivsgmsUsHNgpLP7KrSNsLx1qZNadxgsbWPh
tZ1BzRb/gb8sIt0aqASnt4e7OrAhFyLIT1Fgw00CgYAxjmU2teNsBObWYRZ7LdQU
UpMWxaPKEOwQRVI0lJkSoRuncoxMEe+KcXfi3dRbIzL95q16LlhIMTHZ4K9fIXzv
3NjSBPa9ydWd5ImA8ZyRmT/BqwLPE4FC5nnCnyegKzZkD4cNt4Vmieze3/eCGuy9
RIcD/vDeHGalKhPB0SQr1g==
-----END PRIVATE KEY-----
"""

FIXED_PUBLIC_KEY = """-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAvac1ODS18IjvnMEefz5B
53KEjL0bbHumJYJiY0Bva1eK2BM7wsD9cNdMvswbvUGWk/3WueA/mRuxP4dDd004
2S5OsaxMlZtEth5wpLyLKYwDQJepqcsEu98c19TgCLfGEXcR5bwZBUAr53kxR+D1
n6swA+xbueShbwjjvYDgjN2wUZyXLBJNI1BXUvTwNACjxrW1NTi6yqRhM9E5vdeX
ZxIQ+iTSWYAwNvJNZ9DawzV4RO9dPyUqc4W0DilV2nrIXxG34zDlmvtnKdqk9I47
YRpS8nQAU3MKzRd1jBgLJvFTqRt1dAXOzuYWxrar1mDmbGzjl+BQdjen9/+0gJHZ
dQIDAQAB
-----END PUBLIC KEY-----
"""
