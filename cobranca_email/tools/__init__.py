"""Code of the addon that is not a model: imported by the models and wizards that use it."""
