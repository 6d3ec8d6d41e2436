"""The helper's signer against the vectors of docs/usersig.md ("Test vectors")."""
import unittest

from live_emulator import tlssig

KEY = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e"
WHOLE_TOKEN = ("eJyrVgrxCdYrSy1SslJQMtIzUNJRAItkpqTmlWSmZUIkKjIT87NK82CSxSnZiQUFmSlAKUMTAyiAyqVWFGQWpYJkTE1NjRDiJZm5YFFzNPXFm"
               "ekgG3zKHM1T9D3LzdODi-OKs8vCqpxcAvydnV2SSv2cy03cPcpDnA2SMgu0nUxslWoBHdYzUg__")


class Vectors(unittest.TestCase):
    def test_signatures(self):
        self.assertEqual(tlssig.signature(KEY, "xiaojun", 1400000000, 1700000000, 15552000),
                         "LvA7d/Iw7gSsnskvVzBDPOCCDbuNCw4GHwTC0bip+B4=")
        self.assertEqual(tlssig.signature("secretkey", "admin", 88888888, 1700000000, 86400),
                         "OAeJff0rlkSr2JHcOboMCke0fVEHXa46vmN7Z04y98U=")
        self.assertEqual(tlssig.signature(KEY, "xiaojun", 1400000000, 1700000000, 15552000, userbuf=b"abc"),
                         "QjT201xPkXk/aM1e+y0vakZb0K2iPrFue++0s5y6bFM=")

    def test_whole_token(self):
        self.assertEqual(tlssig.usersig(KEY, "xiaojun", 1400000000, 15552000, issued_at=1700000000), WHOLE_TOKEN)

    def test_a_wrong_key_gives_another_signature(self):
        # The check can fail: a different key must not give the vector's signature.
        self.assertNotEqual(tlssig.signature(KEY + "x", "xiaojun", 1400000000, 1700000000, 15552000),
                            "LvA7d/Iw7gSsnskvVzBDPOCCDbuNCw4GHwTC0bip+B4=")

    def test_round_trip(self):
        claims = tlssig.decode(tlssig.usersig("k", "admin", 1400000000, 60, issued_at=5, userbuf=b"\x00\xff"))
        self.assertEqual(claims["TLS.identifier"], "admin")
        self.assertEqual(claims["TLS.userbuf"], "AP8=")
        self.assertEqual(claims["TLS.sig"], tlssig.signature("k", "admin", 1400000000, 5, 60, b"\x00\xff"))


if __name__ == "__main__":
    unittest.main()
