"""Settings, question routing, answer composition and the service that ties them (the third layer)."""
