"""Feature extraction: a pre-trained network turns images into vectors, streamed into HDF5.

    result = extract_features("flowers17", "datasets/features/flowers17_vgg16.hdf5", backbone="vgg16")
    features, labels, label_names = load_features(result["output_path"])

or from the command line (`pyimagesearch-extract-features` once installed):

    python -m pyimagesearch.transfer.features --dataset flowers17 \\
        --output datasets/features/flowers17_vgg16.hdf5 --backbone vgg16
    python -m pyimagesearch.transfer.features --dataset datasets/dogs-vs-cats-hdf5/train.hdf5 \\
        --output datasets/features/dogs_vs_cats_resnet50.hdf5 --backbone resnet50 --pooling avg
    python -m pyimagesearch.transfer.features --dataset digits --backbone model.keras --layer fc1 ...

The backbone is a `keras.applications` network by name (`vgg16`, `resnet50`, `inception_v3`,
...; see `applications.APPLICATIONS`) or a `.keras` file plus a layer name. Each named network gets its own
input size (224, or 299 for Inception and Xception) and its own `preprocess_input`, fed RGB:
OpenCV decodes BGR, so the channels are reversed first. Without `pooling` the chosen layer's
output is flattened (VGG16's pool5 gives 7 x 7 x 512 = 25,088 values); with "avg" or "max" it
is pooled over space (ResNet50: 2,048).

Why it is fast and small:
- Images are decoded in `tf.data` (a parallel `map` of `read_image` through
  `tf.numpy_function`, then `prefetch`), so decoding overlaps the network.
- Rows are written by a background thread fed through a bounded queue, so HDF5 writes
  overlap the network too. Memory holds a few batches and the writer's buffer, never the
  whole data set.
- `precision="mixed_bfloat16"` builds the network under that Keras policy: 5-8x faster
  on CPUs with AMX-BF16 or AVX512-BF16 (and on GPUs), but emulated, so slower than float32,
  on CPUs without them (`build_backbone` warns). The features are cast to float32 with NumPy
  before they are written (never by h5py, which converts to 16-bit types slowly and wrongly).

Unreadable images (and those over `max_image_pixels`) are skipped, counted and named at the
end; they never stop a run, unless a class has no readable image at all, which is an error
naming it (no file is written). The file holds `features` (N, D) float32, `labels` (N,) and
`label_names`, written atomically by `HDF5DatasetWriter`. The rows are shuffled once (seeded)
by default, so the course's contiguous 75/25 index split of the file is a random split;
`shuffle=False` keeps the source order (sorted by class for a folder: an index split of that
file tests on the last classes only).
"""

import dataclasses
import os
import pathlib
import queue
import threading
import time
import warnings

import numpy as np

from pyimagesearch.datasets import imagefiles
from pyimagesearch.io import hdf5format
from pyimagesearch.nn import applications
from pyimagesearch.preprocessing import resizing
from pyimagesearch.utils import errors, validation
from pyimagesearch.utils import precision as precision_module

# Keras dtype policies (see pyimagesearch.utils.precision; "auto" is resolved there, by the caller).
PRECISIONS = precision_module.POLICIES
POOLINGS = ("avg", "max")
# Preprocessing for a `.keras` backbone, which carries no `preprocess_input` of its own:
# "scale" is what this package's training pipelines feed (BGR pixels / 255,
# `pipeline.make_batch_transform`'s default); "none" is raw BGR pixels as float32; "caffe",
# "tf" and "torch" are `keras.applications.imagenet_utils` modes, fed RGB like the named networks.
FILE_PREPROCESSING = ("scale", "none", "caffe", "tf", "torch")
FEATURES_KEY = "features"
IMAGES_KEY = "images"
MINIMUM_IMAGE_SIZE = 32
# Batches of features waiting for the writer thread: enough to absorb a slow flush,
# few enough that memory stays flat.
_QUEUED_BATCHES = 4
_PROGRESS_PREFIX = "extracting features: "


@dataclasses.dataclass(frozen=True, eq=False)
class Backbone:
    """A network cut at a layer, with the preprocessing its inputs need.

    Made by `build_backbone`. `model` maps preprocessed float32 batches (N, H, W, 3) to
    feature vectors (N, D); `preprocess(images)` turns a batch of BGR pixels (uint8 or float,
    a NumPy array or tf.Tensor) into those inputs. `description` says all of it in one line,
    and is stored in the features file.
    """

    model: object
    name: str
    image_size: int
    feature_dim: int
    precision: str
    preprocessing: str
    rgb: bool
    description: str
    _preprocess_function: object = dataclasses.field(repr=False, compare=False)

    def preprocess(self, images):
        """BGR pixel batch -> the model's float32 input (channels reversed to RGB if needed)."""
        return self._preprocess_function(images)

    def predict(self, images):
        """Features of a preprocessed float32 batch, as a tf.Tensor (float32, or 16 bits
        under that precision). The call is traced once per Backbone, for any batch size."""
        function = self.__dict__.get("_traced_call")
        if function is None:
            function = _traced_call(self.model, self.image_size)
            object.__setattr__(self, "_traced_call", function)
        return function(images)


def build_backbone(
    backbone="vgg16",
    weights="auto",
    layer_name=None,
    pooling=None,
    image_size=None,
    precision="float32",
    preprocessing="auto",
):
    """Builds a feature extractor; returns a `Backbone`.

    Args:
        backbone: a name from `applications.APPLICATIONS` (e.g. "vgg16", "resnet50", "inception_v3") or
            the path of a `.keras` model file.
        weights: "auto" (ImageNet for a named network, the file's own weights for a `.keras`
            file), "imagenet", "none" or None (random initialisation: the same architecture,
            untrained; drawn from Keras' global seed, so `utils.seeding.set_seed` first makes
            it repeatable), or the path of a weights file (`.weights.h5` / `.h5`).
        layer_name: the layer whose output is the feature vector. Default: the last layer
            of a named network without its classifier (`include_top=False`); required for a
            `.keras` file. A layer of the classifier part (e.g. VGG16's "fc2") also works.
        pooling: None (flatten the layer's output), "avg" or "max" (pool over space).
        image_size: the square input size; default: the network's own (224; 299 for
            Inception and Xception), or the `.keras` model's input size.
        precision: "float32", "mixed_bfloat16" or "mixed_float16": the Keras policy the network is
            built under (the global policy is restored afterwards; the model keeps computing in
            16 bits).
        preprocessing: "auto" (a named network's own `preprocess_input`; "scale" for a
            `.keras` file) or, for a `.keras` file, one of `FILE_PREPROCESSING`.
    """
    validation.check_choice("precision", precision, PRECISIONS)
    if pooling is not None:
        validation.check_choice("pooling", pooling, POOLINGS)
    if image_size is not None:
        image_size = validation.check_integer("image_size", image_size, minimum=MINIMUM_IMAGE_SIZE)
    if layer_name is not None and (not isinstance(layer_name, str) or not layer_name):
        raise errors.InvalidArgumentError(f"`layer_name` must be a non-empty string or None. Received: layer_name={layer_name!r}")
    weights = _validate_weights(weights)
    is_file = _is_model_file(backbone)
    if not is_file:
        _validate_backbone_name(backbone)
    _validate_preprocessing(preprocessing, is_file)
    if precision == "mixed_bfloat16" and precision_module.cpu_has_native_bfloat16() is False and not _has_gpu():
        warnings.warn(
            "This CPU has neither AMX nor AVX512-BF16, so bfloat16 is emulated and runs slower "
            "than float32 here (it is 5-8x faster on CPUs that have them).",
            stacklevel=2,
        )
    # The policy is read when layers are created, so the whole network and its head must be
    # built while it is set; restoring it afterwards leaves other models untouched.
    with precision_module.policy_scope(precision):
        if is_file:
            return _file_backbone(
                pathlib.Path(backbone), weights, layer_name, pooling, image_size, precision, preprocessing
            )
        return _application_backbone(backbone, weights, layer_name, pooling, image_size, precision)


def _has_gpu():
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))


def extract_features(
    source,
    output_path,
    backbone="vgg16",
    weights="auto",
    layer_name=None,
    pooling=None,
    image_size=None,
    precision="float32",
    preprocessing="auto",
    batch_size=32,
    buffer_size=1000,
    shuffle=True,
    seed=42,
    layout="auto",
    resize="stretch",
    overwrite=False,
    progress=True,
    verbose=True,
    max_image_pixels=imagefiles.MAX_IMAGE_PIXELS,
):
    """Extracts features of every image of `source` into the HDF5 file `output_path`.

    Args:
        source: a folder of images (class subfolders, or Kaggle's flat `cat.1.jpg` layout; see
            `datasets.imagefiles.list_labelled_images`), a catalog name (`datasets.catalog`), or an
            image HDF5 file made by `HDF5DatasetWriter` / `io.builder` (`images`, uint8 BGR).
        output_path: the features file to write (atomically; refused if it exists unless
            `overwrite`).
        backbone: a name from `applications.APPLICATIONS`, a `.keras` file, or a `Backbone` from
            `build_backbone` (then leave the build arguments below at their defaults).
        weights, layer_name, pooling, image_size, precision, preprocessing: see
            `build_backbone`.
        batch_size: images per forward pass.
        buffer_size: feature rows the writer holds before flushing to disk.
        shuffle: shuffle the rows once, with `seed` (the default), so a contiguous split of the
            file is a random split (the course shuffles paths before extracting); False keeps
            the source order.
        layout: "auto", "folders" or "flat", for a folder `source`.
        resize: "stretch" (to the square input, ignoring the aspect ratio, as the course's
            `load_img(target_size=...)`) or "aspect" (scale, then centre-crop). Images from
            an HDF5 file of another size are resized with antialiased bilinear interpolation.
        overwrite: replace an existing `output_path`.
        progress: show a progress bar.
        verbose: print what was written at the end, naming every skipped image.
        max_image_pixels: images of a folder with more pixels are skipped before they are
            decoded (`imagefiles.read_image`'s `max_pixels`; default Pillow's limit; None: no
            limit).

    Raises a user error (and writes no file) for bad arguments, and when no image, or no image
    of some class, can be read.

    Returns a dict: output_path, rows, feature_dim, label_names, skipped (a list of
    (path, reason)), seconds, images_per_second and description.
    """
    batch_size = validation.check_positive_integer("batch_size", batch_size)
    buffer_size = validation.check_positive_integer("buffer_size", buffer_size)
    validation.check_booleans(shuffle=shuffle, overwrite=overwrite, progress=progress, verbose=verbose)
    # Not `check_seed`: None is refused, because the description records the seed.
    validation.check_integer("seed", seed, minimum=0)
    validation.check_choice("layout", layout, imagefiles.LAYOUTS)
    validation.check_choice("resize", resize, resizing.RESIZE_MODES)
    max_image_pixels = imagefiles.check_max_image_pixels(max_image_pixels)
    output_path = pathlib.Path(output_path)
    if output_path.exists() and not overwrite:
        # Checked before the network is built, so the user doesn't wait to be told.
        raise FileExistsError(
            f"{output_path} exists; pass overwrite=True (--overwrite) to replace it. "
            f"Received: output_path={str(output_path)!r}"
        )
    image_source = open_image_source(source, layout)
    if image_source.hdf5_path is not None and _same_file(image_source.hdf5_path, output_path):
        raise errors.InvalidArgumentError(f"The output would overwrite the input file. Received: output_path={str(output_path)!r}")
    if isinstance(backbone, Backbone):
        _check_unused_build_arguments(weights, layer_name, pooling, image_size, precision, preprocessing)
    else:
        backbone = build_backbone(backbone, weights, layer_name, pooling, image_size, precision, preprocessing)
    order = np.arange(image_source.count)
    if shuffle:
        order = np.random.default_rng(seed).permutation(image_source.count)
    description = _file_description(backbone, image_source, resize, shuffle, seed)
    started = time.perf_counter()
    skipped = _run_extraction(
        image_source, order, backbone, output_path, batch_size, buffer_size, resize, overwrite, progress, description,
        max_image_pixels,
    )
    seconds = time.perf_counter() - started
    rows = image_source.count - len(skipped)
    result = {
        "output_path": output_path,
        "rows": rows,
        "feature_dim": backbone.feature_dim,
        "label_names": list(image_source.label_names),
        "skipped": skipped,
        "seconds": seconds,
        "images_per_second": image_source.count / seconds if seconds > 0 else float("inf"),
        "description": description,
    }
    if verbose:
        print_summary(result)
    return result


def load_features(db_path):
    """Reads a whole features file: returns (features float32 (N, D), labels (N,), label_names).

    Incomplete or foreign files are refused with `InvalidDatasetFileError`. `label_names` is
    None when the file has none.
    """
    with hdf5format.open_dataset_file(db_path, FEATURES_KEY) as handle:
        features = handle[FEATURES_KEY][...]
        labels = handle[hdf5format.LABELS_KEY][...]
        label_names = hdf5format.read_label_names(handle)
    if features.ndim != 2:
        raise hdf5format.InvalidDatasetFileError(
            db_path, f"'{FEATURES_KEY}' must be (N, D) feature vectors, not shape {features.shape}"
        )
    return features.astype(np.float32, copy=False), labels, label_names


def print_summary(result):
    """Prints what `extract_features` wrote, and names every image it skipped."""
    skipped = result["skipped"]
    total = result["rows"] + len(skipped)
    print(
        f"[INFO] wrote {result['rows']} x {result['feature_dim']} features to "
        f"{errors.display_path(result['output_path'])} ({result['images_per_second']:.1f} images/s)"
    )
    print(f"[INFO] skipped {len(skipped)} of {total} images" + (":" if skipped else ""))
    for path, reason in skipped:
        print(f"  {errors.display_path(path)}: {reason}")


# ----------------------------------------------------------------------------- backbones


def _application_backbone(name, weights, layer_name, pooling, image_size, precision):
    size = image_size or applications.default_image_size(name)
    keras_weights = applications.IMAGENET if weights == "auto" else weights
    base = applications.build_application(name, keras_weights, include_top=False, image_size=size)
    if layer_name is not None and not _has_layer(base, layer_name):
        # A classifier layer such as VGG16's "fc2" exists only with the top.
        full = applications.build_application(name, keras_weights, include_top=True, image_size=size)
        if not _has_layer(full, layer_name):
            _raise_unknown_layer(name, full, layer_name)
        base = full
    output = base.get_layer(layer_name).output if layer_name else base.output
    model = _with_head(base, output, pooling, name)
    module = applications.APPLICATIONS[name].module
    return _make_backbone(
        model,
        name,
        size,
        precision,
        f"keras.applications.{module}.preprocess_input",
        rgb=True,
        function=applications.batch_preprocessor(name),
        details=_details(weights, layer_name or "last convolutional block", pooling),
    )


def _file_backbone(path, weights, layer_name, pooling, image_size, precision, preprocessing):
    import keras

    if weights == "imagenet":
        raise errors.InvalidArgumentError(
            f"A .keras backbone has no ImageNet weights of its own; use weights='auto' (the file's), "
            f"'none' or a weights file. Received: weights='imagenet' for {path}"
        )
    if layer_name is None:
        raise errors.InvalidArgumentError(
            f"A .keras backbone needs `layer_name` (the feature layer). Received: layer_name=None for {path}"
        )
    try:
        loaded = keras.saving.load_model(path, compile=False)
    except Exception as error:  # noqa: BLE001 - Keras raises many types for a bad file
        raise errors.InvalidArgumentError(f"Could not load the Keras model {path}: {error}. Received: backbone={str(path)!r}") from error
    if not _has_layer(loaded, layer_name):
        _raise_unknown_layer(str(path), loaded, layer_name)
    model = _rebuilt_for(loaded, weights, precision)
    if weights not in ("auto", "none"):
        model.load_weights(weights)
    size = _file_input_size(model, image_size, path)
    output = model.get_layer(layer_name).output
    extractor = _with_head(model, output, pooling, path.stem)
    mode = "scale" if preprocessing == "auto" else preprocessing
    function, rgb = _file_preprocess_function(mode)
    return _make_backbone(
        extractor,
        str(path),
        size,
        precision,
        mode,
        rgb=rgb,
        function=function,
        details=_details("file" if weights == "auto" else weights, layer_name, pooling),
    )


def _rebuilt_for(model, weights, precision):
    """The loaded model, or a clone with random weights and/or a mixed-precision policy.

    A loaded model keeps the dtype policy stored in its file, so 16 bits need a clone whose
    layers are re-created under the policy, with the trained weights copied over.
    """
    import keras

    if precision == "float32" and weights != "none":
        return model

    def clone_layer(layer):
        config = layer.get_config()
        if precision != "float32":
            config["dtype"] = precision
        return layer.__class__.from_config(config)

    clone = keras.models.clone_model(model, clone_function=clone_layer)
    if weights != "none":
        clone.set_weights(model.get_weights())
    return clone


def _file_input_size(model, image_size, path):
    shape = tuple(model.inputs[0].shape)
    if len(shape) != 4 or shape[-1] != 3:
        raise errors.InvalidArgumentError(
            f"A .keras backbone must take (N, H, W, 3) images (channels last). Received: input shape {shape} in {path}"
        )
    height, width = shape[1], shape[2]
    if height is None or width is None:
        if image_size is None:
            raise errors.InvalidArgumentError(
                f"The model {path} accepts any image size; pass `image_size`. Received: image_size=None"
            )
        return image_size
    if height != width:
        raise errors.InvalidArgumentError(f"Only square model inputs are supported. Received: input shape {shape} in {path}")
    if image_size is not None and image_size != height:
        raise errors.InvalidArgumentError(
            f"The model {path} takes {height}x{width} images. Received: image_size={image_size}"
        )
    return int(height)


def _with_head(base, output, pooling, name):
    """Pools or flattens the layer's output into one vector per image."""
    import keras

    rank = len(output.shape)
    if rank == 2:
        if pooling is not None:
            raise errors.InvalidArgumentError(
                f"The chosen layer already gives vectors {tuple(output.shape)}; there is nothing to pool. "
                f"Received: pooling={pooling!r}"
            )
        features = output
    elif pooling is None:
        features = keras.layers.Flatten(name="features_flatten")(output)
    elif rank == 4:
        layer = keras.layers.GlobalAveragePooling2D if pooling == "avg" else keras.layers.GlobalMaxPooling2D
        features = layer(name=f"features_{pooling}_pool")(output)
    else:
        layer = keras.layers.GlobalAveragePooling1D if pooling == "avg" else keras.layers.GlobalMaxPooling1D
        features = layer(name=f"features_{pooling}_pool")(output)
    safe_name = "".join(character if character.isalnum() else "_" for character in str(name))
    return keras.Model(base.inputs, features, name=f"{safe_name}_features")


def _details(weights, layer, pooling):
    return f"weights={weights}, layer={layer}, pooling={pooling or 'none (flatten)'}"


def _make_backbone(model, name, size, precision, preprocessing, rgb, function, details):
    feature_dim = model.output_shape[-1]
    if feature_dim is None:
        raise errors.InvalidArgumentError(
            f"The feature layer of {name} has an unknown size. Received: output shape {model.output_shape}"
        )
    order = "BGR->RGB, " if rgb else "BGR kept, "
    description = (
        f"{name} ({details}) -> {feature_dim}-d features; input {size}x{size}, {order}"
        f"{preprocessing}; precision={precision}"
    )
    return Backbone(
        model=model,
        name=str(name),
        image_size=int(size),
        feature_dim=int(feature_dim),
        precision=precision,
        preprocessing=preprocessing,
        rgb=rgb,
        description=description,
        _preprocess_function=function,
    )


def _file_preprocess_function(mode):
    """(function of a BGR pixel batch, whether the model sees RGB) for a `.keras` backbone."""
    import tensorflow as tf

    if mode == "scale":
        return (lambda images: tf.cast(images, tf.float32) * (1.0 / 255.0)), False
    if mode == "none":
        return (lambda images: tf.cast(images, tf.float32)), False
    import keras

    def imagenet_mode(images):
        return keras.applications.imagenet_utils.preprocess_input(images, mode=mode)

    return applications.from_bgr(imagenet_mode), True


def _has_layer(model, layer_name):
    return any(layer.name == layer_name for layer in model.layers)


def _raise_unknown_layer(name, model, layer_name):
    names = [layer.name for layer in model.layers]
    shown = ", ".join(names[-12:])
    raise errors.InvalidArgumentError(
        f"{name} has no layer {layer_name!r} (its last layers: {shown}). Received: layer_name={layer_name!r}"
    )


# ----------------------------------------------------------------------------- sources


@dataclasses.dataclass
class _ImageSource:
    description: str
    count: int
    label_names: list
    paths: list = None  # folder source: one path per row
    labels: np.ndarray = None  # folder source: integer labels
    hdf5_path: pathlib.Path = None
    stored_size: tuple = None  # HDF5 source: (height, width)


def open_image_source(source, layout="auto"):
    """A folder, catalog name or image HDF5 file -> _ImageSource (checked, nothing decoded)."""
    if not isinstance(source, (str, os.PathLike)):
        raise errors.InvalidArgumentError(f"`source` must be a folder, a catalog name or an HDF5 file. Received: source={source!r}")
    path = pathlib.Path(source)
    if path.is_file():
        return _hdf5_source(path)
    from pyimagesearch.datasets import catalog

    folder = catalog.resolve_dataset(source)
    paths, names = imagefiles.list_labelled_images(folder, layout)
    label_names = sorted(set(names))
    index = {name: position for position, name in enumerate(label_names)}
    labels = np.asarray([index[name] for name in names], dtype=np.int64)
    return _ImageSource(str(folder), len(paths), label_names, paths=list(paths), labels=labels)


def _hdf5_source(path):
    """Checks an image HDF5 file: complete, made by our writer, uint8 BGR (N, H, W, 3)."""
    info = hdf5format.read_dataset_info(path, IMAGES_KEY)
    row_shape, dtype = info["row_shape"], info["dtype"]
    if len(row_shape) != 3 or row_shape[-1] != 3 or dtype != "uint8":
        raise hdf5format.InvalidDatasetFileError(
            path, f"'{IMAGES_KEY}' must hold uint8 BGR images (N, H, W, 3); it holds {dtype} rows of shape {row_shape}"
        )
    with hdf5format.open_dataset_file(path, IMAGES_KEY) as handle:
        channel_order = handle.attrs.get("channel_order", "BGR")
        channel_order = channel_order.decode() if isinstance(channel_order, bytes) else str(channel_order)
    if channel_order != "BGR":
        raise hdf5format.InvalidDatasetFileError(path, f"the images are {channel_order}, not BGR")
    if info["rows"] == 0:
        raise hdf5format.InvalidDatasetFileError(path, "it holds no images")
    label_names = info["label_names"] or [str(label) for label in range(info["classes"])]
    return _ImageSource(str(path), info["rows"], label_names, hdf5_path=path, stored_size=row_shape[:2])


def _same_file(first, second):
    try:
        return pathlib.Path(first).resolve() == pathlib.Path(second).resolve()
    except OSError:
        return False


# ----------------------------------------------------------------------------- pipelines


def make_image_dataset(image_source, order, backbone, batch_size, resize="stretch", skipped=None,
                       max_image_pixels=imagefiles.MAX_IMAGE_PIXELS):
    """The input pipeline: batches of (preprocessed images, labels) in the order `order`.

    Internal to `extract_features`, public for the benchmark. `skipped` (a dict) receives
    {row: reason} for every image that can't be read (or has more than `max_image_pixels`);
    those rows are left out.
    """
    if image_source.hdf5_path is not None:
        return _hdf5_dataset(image_source, order, backbone, batch_size)
    skipped = {} if skipped is None else skipped
    return _folder_dataset(image_source, order, backbone, batch_size, resize, skipped, max_image_pixels)


def _folder_dataset(image_source, order, backbone, batch_size, resize, skipped, max_image_pixels):
    import tensorflow as tf

    size = backbone.image_size
    resizer = resizing.make_resizer(resize, size, size)
    paths = image_source.paths

    def read(row):
        row = int(row)
        try:
            image = _read_and_resize(paths[row], resizer, size, max_image_pixels)
            return image, True
        except imagefiles.ImageReadError as error:
            skipped[row] = error.reason
        return np.zeros((size, size, 3), np.uint8), False

    def load(row, label):
        image, readable = tf.numpy_function(read, [row], [tf.uint8, tf.bool], stateful=False)
        image.set_shape((size, size, 3))
        readable.set_shape(())
        return image, label, readable

    rows = np.asarray(order, dtype=np.int64)
    dataset = tf.data.Dataset.from_tensor_slices((rows, image_source.labels[rows]))
    # deterministic: rows come out in `order`, whichever decode finishes first.
    dataset = dataset.map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    dataset = dataset.filter(lambda image, label, readable: readable)
    dataset = dataset.map(lambda image, label, readable: (image, label))
    return _batched(dataset.batch(batch_size), backbone, resize_to=None)


def _hdf5_dataset(image_source, order, backbone, batch_size):
    import tensorflow as tf

    size = backbone.image_size
    resize_to = None if tuple(image_source.stored_size) == (size, size) else size
    if np.array_equal(order, np.arange(image_source.count)):
        # Rows in file order: the shared contiguous-slice reader.
        from pyimagesearch.io import hdf5pipeline

        # replicas=1: extraction runs on one device, never split across replicas.
        dataset = hdf5pipeline.make_hdf5_slices(image_source.hdf5_path, batch_size, data_key=IMAGES_KEY, replicas=1)
        return _batched(dataset, backbone, resize_to)
    reader = _ShuffledRowReader(image_source.hdf5_path, order, batch_size)
    height, width = image_source.stored_size

    def read(batch_index):
        images, labels = tf.numpy_function(reader, [batch_index], [tf.uint8, tf.int64], stateful=False)
        images.set_shape((None, height, width, 3))
        labels.set_shape((None,))
        return images, labels

    batches = -(-image_source.count // batch_size)
    dataset = tf.data.Dataset.range(batches).map(read, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return _batched(dataset, backbone, resize_to)


def _batched(dataset, backbone, resize_to):
    """Adds the resize (if any) and the backbone's preprocessing, then prefetches."""
    import tensorflow as tf

    def transform(images, labels):
        if resize_to is not None:
            images = tf.image.resize(tf.cast(images, tf.float32), (resize_to, resize_to), antialias=True)
        return backbone.preprocess(images), labels

    return dataset.map(transform, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True).prefetch(tf.data.AUTOTUNE)


class _ShuffledRowReader:
    """Reads the rows `order[i * batch : (i + 1) * batch]` of an image file, in that order.

    h5py wants increasing indices, so each batch is read sorted and put back in order. The
    file is opened per batch (about a millisecond), so no handle outlives the extraction.
    """

    def __init__(self, path, order, batch_size):
        self.path = str(path)
        self.order = np.asarray(order, dtype=np.int64)
        self.batch_size = batch_size

    def __call__(self, batch_index):
        import h5py

        start = int(batch_index) * self.batch_size
        rows = self.order[start : start + self.batch_size]
        sorted_rows = np.sort(rows)
        with h5py.File(self.path, "r") as handle:
            images = handle[IMAGES_KEY][sorted_rows]
            labels = handle[hdf5format.LABELS_KEY][sorted_rows]
        back = np.searchsorted(sorted_rows, rows)
        return images[back], labels[back].astype(np.int64)


def _read_and_resize(path, resizer, size, max_image_pixels):
    import cv2

    try:
        return resizer.preprocess(imagefiles.read_image(path, target_size=(size, size), max_pixels=max_image_pixels))
    except cv2.error as error:
        raise imagefiles.ImageReadError(path, f"OpenCV could not process it ({error.err or error})") from error


# ----------------------------------------------------------------------------- the run


def _run_extraction(image_source, order, backbone, output_path, batch_size, buffer_size, resize, overwrite, progress,
                    description, max_image_pixels):
    """Streams batches through the network into the writer; returns the skipped (path, reason)."""
    import progressbar

    from pyimagesearch.io.hdf5datasetwriter import HDF5DatasetWriter

    skipped_rows = {}
    dataset = make_image_dataset(image_source, order, backbone, batch_size, resize, skipped_rows, max_image_pixels)
    writer = HDF5DatasetWriter(
        (image_source.count, backbone.feature_dim),
        output_path,
        data_key=FEATURES_KEY,
        buffer_size=buffer_size,
        dtype="float32",
        overwrite=overwrite,
        preprocessing=description,
    )
    bar = (
        progressbar.ProgressBar(max_value=image_source.count, prefix=_PROGRESS_PREFIX)
        if progress
        else progressbar.NullBar(max_value=image_source.count)
    )
    background = _BackgroundWriter(writer)
    done = 0
    rows_per_class = np.zeros(len(image_source.label_names), dtype=np.int64)
    try:
        writer.store_class_labels(image_source.label_names)
        for images, labels in dataset:
            features = to_float32(backbone.predict(images))
            labels = labels.numpy()
            background.put(features, labels)
            done += len(features)
            rows_per_class += np.bincount(labels, minlength=len(rows_per_class))[: len(rows_per_class)]
            bar.update(min(image_source.count, done + len(skipped_rows)))
        background.finish()
        if done == 0:
            raise errors.InvalidArgumentError(
                f"No image of {image_source.description} could be read. "
                f"Received: {image_source.count} images, all skipped"
            )
        _check_every_class_read(image_source, rows_per_class, skipped_rows)
        writer.close()
    except BaseException:
        background.abandon()
        writer.abort()
        raise
    finally:
        bar.finish(dirty=done + len(skipped_rows) < image_source.count)
    paths = image_source.paths
    return [(paths[row] if paths else f"row {row}", reason) for row, reason in sorted(skipped_rows.items())]


def _check_every_class_read(image_source, rows_per_class, skipped_rows):
    """Refuses a folder class with images but no readable one: the file would list it with no row."""
    if image_source.labels is None:
        return  # an HDF5 source: every row is read
    unread = [label for label in np.unique(image_source.labels) if rows_per_class[label] == 0]
    if not unread:
        return
    names = ", ".join(repr(errors.display_path(image_source.label_names[label])) for label in unread)
    first_row = min(row for row in skipped_rows if image_source.labels[row] == unread[0])
    raise errors.InvalidArgumentError(
        f"No image of class {names} in {errors.display_path(image_source.description)} could be read (first: "
        f"{errors.display_path(image_source.paths[first_row])}: {skipped_rows[first_row]}); fix or remove its "
        f"files, or remove the class folder. Received: {len(unread)} class(es) with no readable image"
    )


def _traced_call(model, size):
    """`model(images, training=False)` traced once for any batch size (a fixed signature)."""
    import tensorflow as tf

    signature = [tf.TensorSpec((None, size, size, 3), tf.float32)]
    return tf.function(lambda images: model(images, training=False), input_signature=signature)


def to_float32(outputs):
    """Network outputs (float32, bfloat16 or float16 tensors) as a float32 NumPy array.

    The cast is NumPy's, so h5py never converts between float types.
    """
    array = outputs.numpy() if hasattr(outputs, "numpy") else np.asarray(outputs)
    return array.astype(np.float32, copy=False)


class _BackgroundWriter:
    """Adds batches to an HDF5DatasetWriter from a thread fed through a bounded queue.

    The network keeps running while h5py writes; the bound keeps memory flat when the disk
    is slower than the network. An error in the thread is raised in the caller.
    """

    def __init__(self, writer):
        self.writer = writer
        self.queue = queue.Queue(maxsize=_QUEUED_BATCHES)
        self.error = None
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._work, name="features-writer", daemon=True)
        self.thread.start()

    def put(self, features, labels):
        while True:
            self._raise_if_failed()
            try:
                self.queue.put((features, labels), timeout=0.2)
                return
            except queue.Full:
                continue

    def finish(self):
        """Waits until every queued batch is added; raises the thread's error, if any."""
        self.put(None, None)
        self.thread.join()
        self._raise_if_failed()

    def abandon(self):
        self._stop.set()
        self.thread.join(timeout=30)

    def _raise_if_failed(self):
        if self.error is not None:
            raise self.error

    def _work(self):
        try:
            while not self._stop.is_set():
                try:
                    features, labels = self.queue.get(timeout=0.2)
                except queue.Empty:
                    continue
                if features is None:
                    return
                self.writer.add(features, labels)
        except BaseException as error:  # noqa: BLE001 - handed to the caller
            self.error = error


def _file_description(backbone, image_source, resize, shuffle, seed):
    if image_source.hdf5_path is not None:
        same_size = tuple(image_source.stored_size) == (backbone.image_size,) * 2
        resize_step = "" if same_size else "bilinear (antialiased) resize, "
        read = f"rows of the image file {image_source.description}, {resize_step}"
    else:
        method = "stretched" if resize == "stretch" else "aspect-aware (scale, centre-crop)"
        read = f"images of {image_source.description} read with read_image, {method} with cv2.INTER_AREA, "
    order = f"rows shuffled once with seed {seed}" if shuffle else "rows in source order"
    return f"features: {read}{backbone.description}; {order}"


# ----------------------------------------------------------------------------- checks


def _check_unused_build_arguments(weights, layer_name, pooling, image_size, precision, preprocessing):
    given = {
        name: value
        for name, value, default in (
            ("weights", weights, "auto"),
            ("layer_name", layer_name, None),
            ("pooling", pooling, None),
            ("image_size", image_size, None),
            ("precision", precision, "float32"),
            ("preprocessing", preprocessing, "auto"),
        )
        if value != default
    }
    if given:
        raise errors.InvalidArgumentError(
            "A built Backbone already fixes weights, layer, pooling, size, precision and "
            f"preprocessing; pass them to build_backbone instead. Received: {given}"
        )


def _is_model_file(backbone):
    if isinstance(backbone, os.PathLike) or (isinstance(backbone, str) and backbone.endswith(".keras")):
        path = pathlib.Path(backbone)
        if path.suffix != ".keras":
            raise errors.InvalidArgumentError(f"A backbone file must be a .keras model. Received: backbone={str(backbone)!r}")
        if not path.is_file():
            raise errors.InvalidArgumentError(f"The backbone file does not exist. Received: backbone={str(backbone)!r}")
        return True
    return False


def _validate_backbone_name(backbone):
    if not isinstance(backbone, str) or backbone not in applications.APPLICATIONS:
        raise errors.InvalidArgumentError(
            f"`backbone` must be a .keras file or one of: {', '.join(sorted(applications.APPLICATIONS))}. "
            f"Received: backbone={backbone!r}"
        )


def _validate_weights(weights):
    """"auto" (the backbone's own), or `applications.parse_weights`' "imagenet", None or a path."""
    if isinstance(weights, str) and weights.lower() == "auto":
        return "auto"
    parsed = applications.parse_weights(weights)
    return "none" if parsed is None else parsed


def _validate_preprocessing(preprocessing, is_file):
    if preprocessing == "auto":
        return
    if not is_file:
        raise errors.InvalidArgumentError(
            "A named network always uses its own preprocess_input; `preprocessing` is for .keras "
            f"files. Received: preprocessing={preprocessing!r}"
        )
    validation.check_choice("preprocessing", preprocessing, ("auto",) + FILE_PREPROCESSING)
