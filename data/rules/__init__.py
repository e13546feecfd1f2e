"""The indicator catalogue and five-colour rules: configuration, validation, the engine."""
