"""What a saved .keras file holds, read from its config.json without loading the model."""

import json
import zipfile


def layer_configs(model_path):
    """The layers of the model in a .keras file, each a dict with "class_name" and "config"."""
    with zipfile.ZipFile(model_path) as archive:
        return json.loads(archive.read("config.json"))["config"]["layers"]


def residual_blocks(model_path):
    """The names of the residual modules' Add layers, in order."""
    return [layer["config"]["name"] for layer in layer_configs(model_path) if layer["class_name"] == "Add"]
