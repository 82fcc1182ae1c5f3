// Placeholder: the emulator is being written (issue 4).
public enum GoogleEmulatorPlaceholder {}
