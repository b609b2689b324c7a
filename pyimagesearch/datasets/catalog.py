"""Dataset names to prepared folders, downloaded or generated on first use.

    root = resolve_dataset("flowers17")        # datasets/flowers17/<class>/image_0001.jpg ...
    root = resolve_dataset("synthetic-flowers17")   # generated offline
    root = resolve_dataset("path/to/my/images")     # any existing folder, returned as is
    root = resolve_dataset("cifar10")          # datasets/cifar10/cifar-10-batches-bin/*.bin
    root = resolve_dataset("mnist")            # datasets/mnist/ holding mnist.npz

Most entries are folders of class subfolders. CIFAR-10, Tiny ImageNet and MNIST keep their own
layouts (read them with `cifar10.load_cifar10`, `tinyimagenet.load_tiny_imagenet_splits` and
`mnist.load_mnist`); for them the entry's `required_paths` say what a prepared folder holds.

Data lives under the datasets root: the `PYIMAGESEARCH_DATASETS` environment variable, or
`datasets/` in the working directory. Downloaded archives are kept in `<root>/downloads/`
(with a small JSON record of what was verified), and each data set is built in a temporary
folder that is moved to `<root>/<name>` only when complete, so an interrupted fetch leaves
nothing under the final name and the next run starts clean.

Set `PYIMAGESEARCH_DATASET_MIRROR=http://host/path` to fetch archives from a mirror that
holds them under their file names (`http://host/path/17flowers.tgz`); the checksums are the
same. An entry is a small data object. Tests and scripts can point one at another server with the
factory functions, e.g. `resolve_dataset(flowers17_entry(url=..., sha256=...), root)`.
"""

import dataclasses
import datetime
import functools
import json
import os
import pathlib
import shutil

# The dataset modules import this one only inside their functions, so there is no import cycle.
from pyimagesearch.datasets import (
    cifar10,
    download as download_module,
    imagefiles,
    mnist,
    syntheticcifar10,
    synthetictinyimagenet,
    tinyimagenet,
)
from pyimagesearch.utils import atomic, errors

ENVIRONMENT_VARIABLE = "PYIMAGESEARCH_DATASETS"
# A mirror (a local server, a proxy cache, a lab file share over HTTP) that holds the archives
# under their file names; checksums are verified exactly as for the original source.
MIRROR_VARIABLE = "PYIMAGESEARCH_DATASET_MIRROR"
DEFAULT_DATASETS_ROOT = "datasets"
DOWNLOADS_FOLDER = "downloads"

# Facts from datasets/README.md (Oxford VGG's 17 category flower dataset).
FLOWERS17_URL = "https://www.robots.ox.ac.uk/~vgg/data/flowers/17/17flowers.tgz"
FLOWERS17_SHA256 = "fe38a60f8b4a95e657551247d3e7d799a3fafcdbc595be504b12839967823d70"
FLOWERS17_MD5 = "b59a65d8d1a99cd66944d474e1289eab"
FLOWERS17_IMAGES_PER_CLASS = 80
# The official class order: image k (1-based) belongs to class (k - 1) // 80.
FLOWERS17_CLASSES = (
    "Daffodil", "Snowdrop", "LilyValley", "Bluebell", "Crocus", "Iris", "Tigerlily", "Tulip",
    "Fritillary", "Sunflower", "Daisy", "ColtsFoot", "Dandelion", "Cowslip", "Buttercup",
    "Windflower", "Pansy",
)

# Microsoft's mirror of Kaggle's Dogs vs. Cats photos. No checksum is published: the size is
# checked, and the sha256 seen on the first download is recorded and checked from then on.
DOGS_VS_CATS_URL = (
    "https://download.microsoft.com/download/3/E/1/3E1C3F21-ECDB-4869-8368-6DEBA77B919F/"
    "kagglecatsanddogs_5340.zip"
)
DOGS_VS_CATS_SIZE = 824_887_076

# The authors' binary CIFAR-10 (no pickles). The md5 and size are from the authors' page; one
# public source reports the sha256 below, which is documented but not checked.
CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
CIFAR10_MD5 = "c32a1d4ab5d03f1284b67883e8d87530"
CIFAR10_SIZE = 170_052_171
CIFAR10_REPORTED_SHA256 = "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"

# cs231n's Tiny ImageNet 200.
TINY_IMAGENET_URL = "http://cs231n.stanford.edu/tiny-imagenet-200.zip"
TINY_IMAGENET_MD5 = "90528d7ca1a48142e341f4ef8d21d0de"

# The mnist.npz that keras.datasets.mnist downloads.
MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


@dataclasses.dataclass(frozen=True)
class DatasetEntry:
    """One catalog entry: where the data comes from and how it becomes class folders.

    A downloaded entry has `url`, `filename` (the archive's name in `<root>/downloads/`), a
    `sha256` and/or `md5` and/or `size` to verify, and `arrange(extracted_dir, output_dir)`
    which moves the extracted files into class folders. An offline entry has instead
    `generate(output_dir, verbose)`, which writes the folder atomically itself.
    `offline_alternative` is what the error message suggests when there is no network.
    `record_sha256`: keep the sha256 of the first download and check later copies against it.
    `extract(archive_path, output_dir, verbose)` makes the folder `arrange` reads; default:
    `download.extract_archive` (every member checked, all extracted).
    `required_paths`: what a prepared folder must hold, relative to it; empty (the default)
    means class subfolders.
    """

    name: str
    description: str
    url: str = None
    filename: str = None
    sha256: str = None
    md5: str = None
    size: int = None
    arrange: object = None
    generate: object = None
    offline_alternative: str = ""
    record_sha256: bool = False
    extract: object = None
    required_paths: tuple = ()

    def __post_init__(self):
        downloaded = self.url is not None
        if downloaded == (self.generate is not None):
            raise errors.InvalidArgumentError(
                "A catalog entry needs either `url` (downloaded) or `generate` (offline), not both. "
                f"Received: url={self.url!r}, generate={self.generate!r}"
            )
        if downloaded and (self.filename is None or self.arrange is None):
            raise errors.InvalidArgumentError(
                f"A downloaded entry needs `filename` and `arrange`. "
                f"Received: filename={self.filename!r}, arrange={self.arrange!r}"
            )
        if downloaded and self.sha256 is None and self.md5 is None and self.size is None:
            raise errors.InvalidArgumentError(f"A downloaded entry needs a sha256, md5 or size to verify. Received: url={self.url!r}")


def flowers17_entry(url=FLOWERS17_URL, sha256=FLOWERS17_SHA256, md5=None, size=None,
                    images_per_class=FLOWERS17_IMAGES_PER_CLASS):
    """The Flowers-17 entry; the arguments let tests use a small archive on a local server."""
    return DatasetEntry(
        name="flowers17",
        description="Oxford 17 category flowers: 17 classes x 80 photos (58 MB download)",
        url=url,
        filename=url.rstrip("/").rsplit("/", 1)[-1] or "17flowers.tgz",
        sha256=sha256,
        md5=md5,
        size=size,
        arrange=functools.partial(arrange_flowers17, images_per_class=images_per_class),
        offline_alternative="`--dataset synthetic-flowers17` (a generated stand-in with the same layout)",
    )


def dogs_vs_cats_entry(url=DOGS_VS_CATS_URL, size=DOGS_VS_CATS_SIZE, sha256=None):
    """The Dogs vs. Cats entry (Microsoft's mirror of the Kaggle photos, 825 MB)."""
    return DatasetEntry(
        name="dogs-vs-cats",
        description="Dogs vs. Cats: 25,000 photos in cat/ and dog/ (825 MB download; some files are corrupt)",
        url=url,
        filename=url.rstrip("/").rsplit("/", 1)[-1] or "kagglecatsanddogs_5340.zip",
        sha256=sha256,
        size=size,
        arrange=arrange_dogs_vs_cats,
        offline_alternative="a folder of your own with cat/ and dog/ subfolders (`--dataset path/to/folder`)",
        record_sha256=True,
    )


def synthetic_flowers17_entry(seed=42, images_per_class=80, difficulty=None):
    """The generated Flowers-17 stand-in (no network); see `synthetic.py`."""
    return DatasetEntry(
        name="synthetic-flowers17",
        description="Generated stand-in for Flowers-17: 17 classes x 80 drawn flowers (offline)",
        generate=functools.partial(
            _generate_synthetic, seed=seed, images_per_class=images_per_class, difficulty=difficulty
        ),
    )


def digits_entry():
    """scikit-learn's 1,797 real 8x8 handwritten digits as PNG files (offline)."""
    return DatasetEntry(
        name="digits",
        description="scikit-learn's 1,797 handwritten 8x8 digits as PNG files in 0/ .. 9/ (offline)",
        generate=_generate_digits,
    )


def cifar10_entry(url=CIFAR10_URL, md5=CIFAR10_MD5, size=CIFAR10_SIZE, sha256=None):
    """CIFAR-10's binary version (163 MB); only the batch files and batches.meta.txt are extracted."""
    return DatasetEntry(
        name="cifar10",
        description="CIFAR-10: 50,000 + 10,000 32x32 colour images, 10 classes (binary version, 163 MB download)",
        url=url,
        filename=_file_name(url, "cifar-10-binary.tar.gz"),
        sha256=sha256,
        md5=md5,
        size=size,
        extract=cifar10.extract_members,
        arrange=cifar10.arrange,
        offline_alternative="`--dataset synthetic-cifar10` (a generated stand-in in the same binary format)",
        required_paths=cifar10.MEMBERS,
    )


def synthetic_cifar10_entry(seed=42, train_images=None, test_images=None, difficulty=None):
    """The generated CIFAR-10 stand-in (no network); see `syntheticcifar10.py`.

    Defaults: 5,000 training and 1,000 test images. Other sizes get their own folder,
    `synthetic-cifar10-<train>-<test>`, so they never mix with the default one.
    """
    train_images = syntheticcifar10.DEFAULT_TRAIN_IMAGES if train_images is None else train_images
    test_images = syntheticcifar10.DEFAULT_TEST_IMAGES if test_images is None else test_images
    default = (train_images, test_images) == (syntheticcifar10.DEFAULT_TRAIN_IMAGES, syntheticcifar10.DEFAULT_TEST_IMAGES)
    return DatasetEntry(
        name="synthetic-cifar10" if default else f"synthetic-cifar10-{train_images}-{test_images}",
        description=f"Generated stand-in for CIFAR-10: {train_images} + {test_images} drawn 32x32 shapes (offline)",
        generate=functools.partial(
            _generate_synthetic_cifar10, seed=seed, train_images=train_images, test_images=test_images,
            difficulty=difficulty,
        ),
        required_paths=cifar10.MEMBERS,
    )


def tiny_imagenet_entry(url=TINY_IMAGENET_URL, md5=TINY_IMAGENET_MD5, sha256=None, size=None):
    """cs231n's Tiny ImageNet 200 (train/, val/, test/, wnids.txt, words.txt)."""
    return DatasetEntry(
        name="tiny-imagenet-200",
        description="Tiny ImageNet 200: 200 classes x 500 64x64 training images, 10,000 labelled val images",
        url=url,
        filename=_file_name(url, "tiny-imagenet-200.zip"),
        sha256=sha256,
        md5=md5,
        size=size,
        arrange=tinyimagenet.arrange,
        offline_alternative="`--dataset synthetic-tiny-imagenet` (a generated stand-in with the same layout)",
        required_paths=tinyimagenet.REQUIRED_PATHS,
    )


def synthetic_tiny_imagenet_entry(seed=42, classes=None, train_per_class=None, val_per_class=None, difficulty=None):
    """The generated Tiny ImageNet stand-in (no network); see `synthetictinyimagenet.py`.

    Defaults: 10 classes x 60 training images, 10 val images each. Other sizes get their own
    folder, `synthetic-tiny-imagenet-<classes>-<train>-<val>`.
    """
    stand_in = synthetictinyimagenet
    sizes = (
        stand_in.DEFAULT_CLASSES if classes is None else classes,
        stand_in.DEFAULT_TRAIN_PER_CLASS if train_per_class is None else train_per_class,
        stand_in.DEFAULT_VAL_PER_CLASS if val_per_class is None else val_per_class,
    )
    default = sizes == (stand_in.DEFAULT_CLASSES, stand_in.DEFAULT_TRAIN_PER_CLASS, stand_in.DEFAULT_VAL_PER_CLASS)
    return DatasetEntry(
        name="synthetic-tiny-imagenet" if default else "synthetic-tiny-imagenet-{}-{}-{}".format(*sizes),
        description=f"Generated stand-in for Tiny ImageNet: {sizes[0]} classes x {sizes[1]} drawn 64x64 shapes (offline)",
        generate=functools.partial(
            _generate_synthetic_tiny_imagenet, seed=seed, classes=sizes[0], train_per_class=sizes[1],
            val_per_class=sizes[2], difficulty=difficulty,
        ),
        required_paths=tinyimagenet.REQUIRED_PATHS,
    )


def mnist_entry(url=MNIST_URL, sha256=MNIST_SHA256, md5=None, size=None):
    """Keras' mnist.npz (11 MB), kept whole as `<root>/mnist/mnist.npz`."""
    return DatasetEntry(
        name="mnist",
        description="MNIST: 60,000 + 10,000 28x28 handwritten digits, as mnist.npz (11 MB download)",
        url=url,
        filename=_file_name(url, "mnist.npz"),
        sha256=sha256,
        md5=md5,
        size=size,
        extract=mnist.place_download,
        arrange=mnist.arrange,
        offline_alternative="`--dataset digits` (scikit-learn's 1,797 real 8x8 digits, offline)",
        required_paths=("mnist.npz",),
    )


def _file_name(url, default):
    """The archive's name in `<root>/downloads/`: the URL's last part, or `default`."""
    return url.rstrip("/").rsplit("/", 1)[-1] or default


def _generate_synthetic_cifar10(output_dir, verbose, seed, train_images, test_images, difficulty):
    if difficulty is None:
        difficulty = syntheticcifar10.DEFAULT_DIFFICULTY
    syntheticcifar10.generate_synthetic_cifar10(
        output_dir, seed=seed, train_images=train_images, test_images=test_images, difficulty=difficulty,
        verbose=verbose,
    )


def _generate_synthetic_tiny_imagenet(output_dir, verbose, seed, classes, train_per_class, val_per_class, difficulty):
    if difficulty is None:
        difficulty = synthetictinyimagenet.DEFAULT_DIFFICULTY
    synthetictinyimagenet.generate_synthetic_tiny_imagenet(
        output_dir, seed=seed, classes=classes, train_per_class=train_per_class, val_per_class=val_per_class,
        difficulty=difficulty, verbose=verbose,
    )


def _generate_synthetic(output_dir, verbose, seed, images_per_class, difficulty):
    from pyimagesearch.datasets import synthetic

    if difficulty is None:
        difficulty = synthetic.DEFAULT_DIFFICULTY
    synthetic.generate_synthetic_flowers17(
        output_dir, seed=seed, images_per_class=images_per_class, difficulty=difficulty, verbose=verbose
    )


def _generate_digits(output_dir, verbose):
    from pyimagesearch.datasets import digits

    digits.write_digits_dataset(output_dir)


def catalog_names():
    """The catalog's dataset names, sorted."""
    return sorted(CATALOG)


def default_datasets_root():
    """`$PYIMAGESEARCH_DATASETS` if set, else `datasets` relative to the working directory."""
    return pathlib.Path(os.environ.get(ENVIRONMENT_VARIABLE) or DEFAULT_DATASETS_ROOT)


def resolve_dataset(name_or_path, datasets_root=None, download=True, verbose=True):
    """Returns the pathlib.Path of a prepared dataset folder for a name, path or entry.

    For most entries that is a folder of class subfolders; `cifar10` and `synthetic-cifar10`
    give a folder holding `cifar-10-batches-bin/`, `tiny-imagenet-200` and
    `synthetic-tiny-imagenet` one holding train/, val/, wnids.txt and words.txt, and `mnist`
    the folder holding `mnist.npz`.

    - An existing folder is returned as is.
    - A catalog name (see `catalog_names()`) or a `DatasetEntry` resolves to
      `<datasets_root>/<name>`; if that folder is missing it is downloaded (verified and
      arranged) or generated. `download=False` only uses an archive already in
      `<datasets_root>/downloads/`.

    Raises ValueError for a name that is neither, and `download.DatasetDownloadError` (naming
    the folder, the source URL and the offline alternative) when the data can't be fetched.
    """
    entry = _lookup(name_or_path)
    if isinstance(entry, pathlib.Path):
        return entry
    root = pathlib.Path(datasets_root) if datasets_root is not None else default_datasets_root()
    final_dir = root / entry.name
    if final_dir.exists():
        return _check_existing(final_dir, entry.required_paths)
    atomic.remove_stale_partials(final_dir)
    if entry.generate is not None:
        entry.generate(final_dir, verbose)
        return final_dir
    return _fetch(entry, root, final_dir, download, verbose)


def _lookup(name_or_path):
    """Returns a DatasetEntry, or the Path of an existing folder."""
    if isinstance(name_or_path, DatasetEntry):
        return name_or_path
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise errors.InvalidArgumentError(
            f"Expected a catalog name, a folder path or a DatasetEntry. Received: name_or_path={name_or_path!r}"
        )
    path = pathlib.Path(name_or_path)
    if path.is_dir():
        return path
    if isinstance(name_or_path, str) and name_or_path in CATALOG:
        return CATALOG[name_or_path]
    what = "a file, not a folder" if path.exists() else "neither an existing folder nor a catalog name"
    raise errors.InvalidArgumentError(
        f"{str(name_or_path)!r} is {what}. Give a folder of class subfolders or one of the catalog "
        f"names: {', '.join(catalog_names())}. Received: name_or_path={str(name_or_path)!r}"
    )


def _check_existing(final_dir, required_paths=()):
    if required_paths:
        missing = [relative for relative in required_paths if not (final_dir / relative).exists()]
        if missing:
            raise errors.InvalidArgumentError(
                f"{final_dir} exists but lacks {', '.join(missing[:3])}, so it was not made by the catalog "
                f"(the catalog only ever moves complete folders into place). Delete it and run again. "
                f"Received: {final_dir}"
            )
        return final_dir
    if not final_dir.is_dir() or not any(child.is_dir() for child in final_dir.iterdir()):
        raise errors.InvalidArgumentError(
            f"{final_dir} exists but holds no class folders, so it was not made by the catalog "
            f"(the catalog only ever moves complete folders into place). Delete it and run again. "
            f"Received: {final_dir}"
        )
    return final_dir


def _fetch(entry, root, final_dir, download, verbose):
    """Downloads (or reuses) the archive, then extracts and arranges it into `final_dir`."""
    downloads_dir = root / DOWNLOADS_FOLDER
    archive_path = downloads_dir / entry.filename
    made_folders = [folder for folder in (root, downloads_dir) if not folder.exists()]
    try:
        _obtain_archive(entry, archive_path, download, verbose)
        with atomic.atomic_output_path(final_dir) as temporary_dir:
            temporary_dir.mkdir()
            if verbose:
                print(f"[INFO] extracting {archive_path} and arranging it into {final_dir}")
            extract = entry.extract or download_module.extract_archive
            extracted_dir = extract(archive_path, temporary_dir / ".extracted", verbose)
            entry.arrange(extracted_dir, temporary_dir)
            shutil.rmtree(extracted_dir)
    except download_module.DatasetDownloadError as error:
        _remove_empty(made_folders)
        raise download_module.DatasetDownloadError(
            _failure_message(entry, final_dir, archive_path, error), url=source_url(entry), destination=final_dir
        ) from error
    except BaseException:
        _remove_empty(made_folders)
        raise
    return final_dir


def _obtain_archive(entry, archive_path, download, verbose):
    """Makes sure a verified archive is at `archive_path`, downloading it if allowed."""
    record_path = archive_path.with_name(archive_path.name + ".json")
    recorded_sha256 = _recorded_sha256(record_path) if entry.record_sha256 else None
    sha256 = entry.sha256 or recorded_sha256
    if archive_path.exists():
        download_module.verify_file(archive_path, sha256=sha256, md5=entry.md5, size=entry.size)
        return
    if not download:
        raise download_module.DatasetDownloadError(
            f"{archive_path} is missing and downloading is turned off (download=False).",
            url=entry.url,
            destination=archive_path,
        )
    url = source_url(entry)
    if verbose:
        print(f"[INFO] downloading {url} to {archive_path}")
    download_module.download_file(
        url, archive_path, sha256=sha256, md5=entry.md5, size=entry.size, verbose=verbose
    )
    _write_record(entry, archive_path, record_path)


def source_url(entry):
    """The entry's download address, or the same file on the mirror named by the environment."""
    mirror = os.environ.get(MIRROR_VARIABLE)
    if not mirror:
        return entry.url
    return f"{mirror.rstrip('/')}/{entry.filename}"


def _recorded_sha256(record_path):
    if not record_path.exists():
        return None
    with open(record_path, encoding="utf-8") as handle:
        return json.load(handle).get("sha256")


def _write_record(entry, archive_path, record_path):
    """Keeps what was downloaded and verified, so later copies can be checked against it."""
    atomic.write_json_atomic(
        record_path,
        {
            "dataset": entry.name,
            "url": source_url(entry),
            "file": archive_path.name,
            "size": archive_path.stat().st_size,
            "sha256": download_module.hash_file(archive_path, "sha256"),
            "published_checksum": bool(entry.sha256 or entry.md5),
            "downloaded_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        },
    )


def _failure_message(entry, final_dir, archive_path, error):
    checksum = f" (sha256 {entry.sha256})" if entry.sha256 else ""
    return (
        f"Could not prepare the '{entry.name}' dataset in {final_dir}: {error}\n"
        f"  Source: {source_url(entry)}\n"
        f"  Offline alternative: {entry.offline_alternative}; or download {entry.filename}{checksum} "
        f"on a machine with internet access, copy it to {archive_path} and run again."
    )


def _remove_empty(folders):
    # Only folders this call created, deepest first; a folder holding anything stays.
    for folder in reversed(folders):
        try:
            folder.rmdir()
        except OSError:
            pass


def arrange_flowers17(extracted_dir, output_dir, images_per_class=FLOWERS17_IMAGES_PER_CLASS):
    """Moves `jpg/image_0001.jpg ...` into the 17 class folders of `output_dir`, in official order.

    Image k (1-based) goes to `FLOWERS17_CLASSES[(k - 1) // images_per_class]`. Raises
    DatasetDownloadError if any of the 17 x `images_per_class` images is missing or extra.
    """
    extracted_dir = pathlib.Path(extracted_dir)
    output_dir = pathlib.Path(output_dir)
    first = sorted(extracted_dir.rglob("image_0001.jpg"))
    if not first:
        raise download_module.DatasetDownloadError(
            f"The archive has no jpg/image_0001.jpg, so it is not Flowers-17 (in {extracted_dir})."
        )
    image_dir = first[0].parent
    expected = len(FLOWERS17_CLASSES) * images_per_class
    found = sorted(path.name for path in image_dir.glob("image_*.jpg"))
    wanted = [f"image_{number:04d}.jpg" for number in range(1, expected + 1)]
    if found != wanted:
        missing = sorted(set(wanted) - set(found))[:3]
        extra = sorted(set(found) - set(wanted))[:3]
        raise download_module.DatasetDownloadError(
            f"Expected exactly {expected} images image_0001.jpg..image_{expected:04d}.jpg in {image_dir}, "
            f"found {len(found)} (missing e.g. {missing}, unexpected e.g. {extra})."
        )
    for class_name in FLOWERS17_CLASSES:
        (output_dir / class_name).mkdir(parents=True, exist_ok=True)
    for number, name in enumerate(wanted, start=1):
        class_name = FLOWERS17_CLASSES[(number - 1) // images_per_class]
        os.replace(image_dir / name, output_dir / class_name / name)


def arrange_dogs_vs_cats(extracted_dir, output_dir):
    """Moves `PetImages/Cat/*.jpg` to `cat/` and `PetImages/Dog/*.jpg` to `dog/`.

    `Thumbs.db` and other non-images are left out. Corrupt JPEGs are kept: the readers skip
    and count them, so the numbers stay visible.
    """
    extracted_dir = pathlib.Path(extracted_dir)
    output_dir = pathlib.Path(output_dir)
    for source_name, class_name in (("Cat", "cat"), ("Dog", "dog")):
        sources = sorted(path for path in extracted_dir.rglob(source_name) if path.is_dir())
        if not sources:
            raise download_module.DatasetDownloadError(
                f"The archive has no PetImages/{source_name} folder, so it is not the Dogs vs. Cats mirror."
            )
        (output_dir / class_name).mkdir(parents=True, exist_ok=True)
        for path in imagefiles.list_images(sources[0]):
            os.replace(path, output_dir / class_name / pathlib.Path(path).name)


# Built last: the entries refer to the arrange functions above.
CATALOG = {
    entry.name: entry
    for entry in (
        flowers17_entry(),
        dogs_vs_cats_entry(),
        synthetic_flowers17_entry(),
        digits_entry(),
        cifar10_entry(),
        synthetic_cifar10_entry(),
        tiny_imagenet_entry(),
        synthetic_tiny_imagenet_entry(),
        mnist_entry(),
    )
}
