"""ImageNet-pretrained `keras.applications` networks by name, usable offline.

    model = build_application("vgg16", weights="imagenet", include_top=False, image_size=224)
    model = build_application("resnet50", weights="path/to/resnet50.weights.h5", include_top=True)
    inputs = preprocess_bgr("vgg16", images)          # OpenCV BGR pixels -> the network's input
    for row in top_predictions(probabilities, class_index=load_class_index()):
        print(row["rank"], row["name"], row["probability"])

The names, constructors, `preprocess_input` modules and input sizes (224; 299 for Inception
and Xception) come from `APPLICATIONS`, so feature extraction, fine-tuning and
classification agree on them.

Keras downloads ImageNet weights and the class index on first use into its cache
(`$KERAS_HOME` or `~/.keras`, folder `models/`). Without a network and without a cached file,
`build_application(..., weights="imagenet")` fails within seconds with a
`PretrainedWeightsError` that says how to get the file or how to run offline (a local weights
file, or no pre-trained weights), instead of a traceback from deep inside urllib. Downloads
use a socket timeout, so a network that accepts connections and then stalls can't hang a run.
"""

import contextlib
import dataclasses
import json
import os
import pathlib
import socket

import numpy as np

from pyimagesearch.utils import errors, validation

IMAGENET = "imagenet"
IMAGENET_CLASSES = 1000
CLASS_INDEX_FILE = "imagenet_class_index.json"
CLASS_INDEX_URL = "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
# Keras' own md5 of the class index (keras.applications.imagenet_utils.decode_predictions).
CLASS_INDEX_MD5 = "c2c37ea517e94d9795004a39431a14cb"
DOWNLOAD_TIMEOUT_SECONDS = 30
# The word that means "no pre-trained weights" on the command line.
NO_WEIGHTS = "none"


@dataclasses.dataclass(frozen=True)
class Application:
    constructor: str  # the class in keras.applications
    module: str  # the keras.applications module holding its preprocess_input
    image_size: int  # the input size it was trained at


def _applications():
    table = {
        "vgg16": Application("VGG16", "vgg16", 224),
        "vgg19": Application("VGG19", "vgg19", 224),
        "resnet50": Application("ResNet50", "resnet50", 224),
        "resnet101": Application("ResNet101", "resnet", 224),
        "resnet152": Application("ResNet152", "resnet", 224),
        "resnet50_v2": Application("ResNet50V2", "resnet_v2", 224),
        "resnet101_v2": Application("ResNet101V2", "resnet_v2", 224),
        "resnet152_v2": Application("ResNet152V2", "resnet_v2", 224),
        "inception_v3": Application("InceptionV3", "inception_v3", 299),
        "inception_resnet_v2": Application("InceptionResNetV2", "inception_resnet_v2", 299),
        "xception": Application("Xception", "xception", 299),
        "mobilenet": Application("MobileNet", "mobilenet", 224),
        "mobilenet_v2": Application("MobileNetV2", "mobilenet_v2", 224),
        "mobilenet_v3_small": Application("MobileNetV3Small", "mobilenet_v3", 224),
        "mobilenet_v3_large": Application("MobileNetV3Large", "mobilenet_v3", 224),
        "densenet121": Application("DenseNet121", "densenet", 224),
        "densenet169": Application("DenseNet169", "densenet", 224),
        "densenet201": Application("DenseNet201", "densenet", 224),
        "nasnet_mobile": Application("NASNetMobile", "nasnet", 224),
        "nasnet_large": Application("NASNetLarge", "nasnet", 331),
    }
    for index, size in enumerate((224, 240, 260, 300, 380, 456, 528, 600)):
        table[f"efficientnet_b{index}"] = Application(f"EfficientNetB{index}", "efficientnet", size)
    for suffix, size in (("b0", 224), ("b1", 240), ("b2", 260), ("b3", 300), ("s", 384), ("m", 480), ("l", 480)):
        table[f"efficientnet_v2_{suffix}"] = Application(f"EfficientNetV2{suffix.upper()}", "efficientnet_v2", size)
    for size_name in ("tiny", "small", "base", "large", "xlarge"):
        table[f"convnext_{size_name}"] = Application(f"ConvNeXt{size_name.capitalize()}", "convnext", 224)
    return table


# Network name -> the keras.applications network, its preprocess_input module and input size.
APPLICATIONS = _applications()


class PretrainedWeightsError(errors.UserError):
    """ImageNet weights were asked for but are neither cached nor downloadable.

    The message says how to get the file or how to run offline.
    """


def application_names():
    """The network names `build_application` accepts, sorted."""
    return sorted(APPLICATIONS)


def validate_name(name):
    """Returns `name` if it names a `keras.applications` network; else a ValueError listing them."""
    if not isinstance(name, str) or name not in APPLICATIONS:
        raise errors.InvalidArgumentError(
            f"Unknown network; choose one of: {', '.join(application_names())}. Received: name={name!r}"
        )
    return name


def default_image_size(name):
    """The square input size the network was trained at: 224, or 299 for Inception and Xception."""
    return APPLICATIONS[validate_name(name)].image_size


def parse_weights(weights):
    """Normalises a `--weights` value: "imagenet", None (random initialisation) or a file path.

    Accepts "imagenet", None, "none" (any case), or the path of an existing weights file
    (`.weights.h5`, Keras' own `.h5` downloads, or a `.keras` model of the same architecture).
    """
    if weights is None:
        return None
    if isinstance(weights, (str, os.PathLike)):
        text = os.fspath(weights)
        if text == IMAGENET:
            return IMAGENET
        if text.lower() == NO_WEIGHTS:
            return None
        path = pathlib.Path(text)
        if path.is_file():
            return path
        reason = "is a folder, not a file" if path.is_dir() else "does not exist"
        raise errors.InvalidArgumentError(
            f"`weights` must be 'imagenet', 'none' or the path of a weights file; {text} {reason}. "
            f"Received: weights={text!r}"
        )
    raise errors.InvalidArgumentError(f"`weights` must be 'imagenet', 'none', None or a path. Received: weights={weights!r}")


def build_application(
    name,
    weights=IMAGENET,
    include_top=False,
    image_size=None,
    download_timeout=DOWNLOAD_TIMEOUT_SECONDS,
):
    """Builds a `keras.applications` network by name and returns the `keras.Model`.

    Args:
        name: a name from `application_names()`, e.g. "vgg16", "resnet50", "inception_v3".
        weights: "imagenet" (downloaded once into the Keras cache), None/"none" (random
            initialisation), or the path of a weights file saved from the same architecture
            with the same `include_top` (loaded with `model.load_weights`; Keras' original
            `.h5` downloads work too).
        include_top: keep the 1000-class ImageNet classifier (`True`, for classification) or
            cut it off (`False`, for feature extraction and fine-tuning).
        image_size: square input size; default `default_image_size(name)`. With the
            classifier and ImageNet weights Keras only accepts the default.
        download_timeout: seconds a stalled download may wait for data before it fails.

    Raises:
        ValueError: bad arguments, or a weights file that doesn't fit the network.
        PretrainedWeightsError: "imagenet" weights that are not cached and can't be downloaded.
    """
    import keras

    validate_name(name)
    weights = parse_weights(weights)
    validation.check_flag("include_top", include_top)
    size = default_image_size(name) if image_size is None else image_size
    size = validation.check_positive_integer("image_size", size)
    validation.check_positive_numbers(download_timeout=download_timeout)
    constructor = getattr(keras.applications, APPLICATIONS[name].constructor)
    arguments = {"include_top": include_top, "input_shape": (size, size, 3)}
    if weights == IMAGENET:
        return _build_with_imagenet_weights(name, constructor, arguments, download_timeout)
    model = constructor(weights=None, **arguments)
    if weights is not None:
        _load_weights_file(model, name, weights, include_top)
    return model


def preprocess_function(name):
    """The network's own `keras.applications.<module>.preprocess_input` (it expects RGB)."""
    import keras

    return getattr(keras.applications, APPLICATIONS[validate_name(name)].module).preprocess_input


def batch_preprocessor(name):
    """Returns `function(images) -> inputs` for float32 BGR batches (N, H, W, 3) in tf.data `map`.

    OpenCV decodes BGR, while every `keras.applications` network expects RGB before its own
    `preprocess_input` (VGG's then flips to BGR and subtracts the ImageNet mean; Inception's
    scales to [-1, 1]; ...). Reversing the channels first is what makes both right.
    """
    return from_bgr(preprocess_function(name))


def from_bgr(rgb_function):
    """Wraps a function of float32 RGB batches so that it takes BGR pixel batches (uint8 or
    float, NumPy or tf.Tensor) instead: the one place where OpenCV's BGR becomes RGB."""

    def preprocess(images):
        import tensorflow as tf

        return rgb_function(tf.reverse(tf.cast(images, tf.float32), axis=[-1]))

    return preprocess


def preprocess_bgr(name, images):
    """NumPy version of `batch_preprocessor`: BGR pixels (N, H, W, 3) -> float32 network inputs.

    Works on a copy: some `preprocess_input` functions modify float arrays in place.
    """
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] != 3:
        raise errors.InvalidArgumentError(f"`images` must be a batch (N, H, W, 3) of BGR pixels. Received: shape={images.shape}")
    rgb = np.array(images[..., ::-1], dtype=np.float32)
    return np.asarray(preprocess_function(name)(rgb), dtype=np.float32)


def keras_cache_folders():
    """Folders where Keras keeps downloaded model files, most likely first.

    Keras uses `$KERAS_HOME` or `~/.keras`, and `/tmp/.keras` when that isn't writable.
    """
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return [pathlib.Path(home) / "models", pathlib.Path("/tmp/.keras/models")]


def load_class_index(path=None, download=False, download_timeout=DOWNLOAD_TIMEOUT_SECONDS):
    """Returns the ImageNet class index {"0": [wnid, name], ...}, or None if it isn't available.

    Args:
        path: a class index JSON file (the format of Keras' `imagenet_class_index.json`). If
            given, it must exist and be valid (ValueError otherwise).
        download: when no `path` is given and the Keras cache has no copy, let Keras download
            it (needs a network). False never touches the network.
        download_timeout: seconds a stalled download may wait for data.
    """
    if path is not None:
        return _read_class_index(pathlib.Path(path))
    for folder in keras_cache_folders():
        cached = folder / CLASS_INDEX_FILE
        if cached.is_file():
            return _read_class_index(cached)
    if not download:
        return None
    import keras

    try:
        with _socket_timeout(download_timeout):
            downloaded = keras.utils.get_file(
                CLASS_INDEX_FILE, CLASS_INDEX_URL, cache_subdir="models", file_hash=CLASS_INDEX_MD5
            )
    except Exception:  # noqa: BLE001 - Keras wraps network errors in a bare Exception
        return None
    return _read_class_index(pathlib.Path(downloaded))


def top_predictions(probabilities, top=5, class_index=None):
    """The `top` most likely classes of one prediction, best first.

    Returns a list of dicts: rank (1-based), index, wnid and name (None without a class index)
    and probability. Like `keras.applications.imagenet_utils.decode_predictions`, but it works
    offline: the class index is an argument.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim == 2 and probabilities.shape[0] == 1:
        probabilities = probabilities[0]
    if probabilities.ndim != 1 or probabilities.size == 0:
        raise errors.InvalidArgumentError(
            "`probabilities` must be one prediction (classes,) or (1, classes). "
            f"Received: shape={probabilities.shape}"
        )
    top = validation.check_positive_integer("top", top)
    if class_index is not None and len(class_index) != probabilities.size:
        raise errors.InvalidArgumentError(
            f"The class index names {len(class_index)} classes but the prediction has {probabilities.size}. "
            f"Received: probabilities.shape={probabilities.shape}"
        )
    order = np.argsort(-probabilities, kind="stable")[:top]
    rows = []
    for rank, index in enumerate(order, start=1):
        wnid, name = class_index[str(int(index))] if class_index is not None else (None, None)
        probability = float(probabilities[index])
        rows.append({"rank": rank, "index": int(index), "wnid": wnid, "name": name, "probability": probability})
    return rows


def _build_with_imagenet_weights(name, constructor, arguments, download_timeout):
    try:
        with _socket_timeout(download_timeout):
            return constructor(weights=IMAGENET, **arguments)
    except ValueError:
        # Argument problems (e.g. an input size the ImageNet classifier can't take) stay ValueErrors.
        raise
    except Exception as error:  # noqa: BLE001 - Keras wraps network errors in a bare Exception
        raise PretrainedWeightsError(_weights_failure_message(name, arguments["include_top"], error)) from error


def _weights_failure_message(name, include_top, error):
    cache = keras_cache_folders()[0]
    return (
        f"Could not get the ImageNet weights of {name} (include_top={include_top}): they are not in "
        f"the Keras cache ({cache}) and the download failed: {error}\n"
        f"  Fix: connect to the internet once (Keras keeps the file in {cache}); or download the file "
        f"named above on another machine and copy it into {cache}; or pass a local weights file "
        f"(--weights PATH)" + ("." if include_top else "; or train without pre-trained weights (--weights none).")
    )


def _load_weights_file(model, name, path, include_top):
    try:
        model.load_weights(path)
    except Exception as error:  # noqa: BLE001 - h5py and Keras raise many types for a bad file
        raise errors.InvalidArgumentError(
            f"Could not load the weights file {path} into {name} (include_top={include_top}, input "
            f"{tuple(model.input_shape[1:])}): {error}. The file must come from the same network, with "
            f"the same include_top and input size. Received: weights={str(path)!r}"
        ) from error


def _read_class_index(path):
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise errors.InvalidArgumentError(f"Cannot read the class index {path}: {error}. Received: path={str(path)!r}") from error
    valid = (
        isinstance(index, dict)
        and all(str(number) in index for number in range(len(index)))
        and all(isinstance(entry, list) and len(entry) == 2 for entry in index.values())
    )
    if not valid or not index:
        raise errors.InvalidArgumentError(
            f'The class index {path} must be a JSON object {{"0": [wnid, name], "1": ...}} with keys 0..N-1, '
            f"like Keras' {CLASS_INDEX_FILE}. Received: path={str(path)!r}"
        )
    return index


@contextlib.contextmanager
def _socket_timeout(seconds):
    """Sets the default socket timeout for a block (urllib's downloads have none by default)."""
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)
