"""The bundled ATS emulators for the demo and the tests: stand-ins, never imported by the core."""
