"""live-emulator from Python tests (docs/helpers.md): start it, drive its control API, make UserSigs.

    from live_emulator import Emulator, usersig
"""
from .emulator import ControlError, Emulator, EmulatorApp, VerificationError, find_binary
from .tlssig import decode as decode_usersig
from .tlssig import signature, usersig

__all__ = ["ControlError", "Emulator", "EmulatorApp", "VerificationError", "decode_usersig", "find_binary",
           "signature", "usersig"]
