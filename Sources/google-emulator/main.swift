import GoogleEmulator
print("google-emulator: not built yet")
