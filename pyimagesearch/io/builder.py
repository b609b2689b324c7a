"""Build train/val/test HDF5 files from an image collection, once, fast and safely.

    paths, labels = imagefiles.list_labelled_images("datasets/dogs-vs-cats")
    result = build_hdf5_dataset(paths, labels, "datasets/dogs-vs-cats-hdf5", 256, 256,
                                val_size=2500, test_size=2500)

or from the command line (`pyimagesearch.cli.build_hdf5`):

    pyimagesearch-build-hdf5 --dataset dogs-vs-cats --output datasets/dogs-vs-cats-hdf5 \\
        --image-size 256 --val-size 2500 --test-size 2500

What it does, and why:
- The split is stratified (every class keeps its share) and seeded: the same paths, labels
  and seed give the same files (`datasets.splits.split_train_val_test`).
- Rows are shuffled once, at write time, so readers can take contiguous slices.
- Decoding runs in parallel workers (JPEG decode and resize dominate the time); OpenCV
  decodes a JPEG at 1/2, 1/4 or 1/8 size when the target is that much smaller
  (`imagefiles.read_image`). Results come back in order, with a bounded number in flight,
  so memory stays flat however large the collection is.
- The workers are threads by default, as in `keras.utils.PyDataset`: OpenCV releases
  Python's GIL while it decodes and resizes, so threads run in parallel without a process
  pool's start-up (seconds: each worker process re-imports the calling script) or the
  pickling of every image. `use_multiprocessing=True` decodes in worker processes instead,
  for preprocessors that spend their time in Python code.
- Pixels are stored as uint8 (an eighth of the course's float64).
- The per-channel mean comes from the training split only; it is written to
  `<name>_mean.json` (the course's format) and into every split file's attributes.
- Bad images (empty, truncated, not an image, not a regular file, more pixels than
  `max_image_pixels`) are skipped and listed, by name and reason, in `build_report.txt`
  (UTF-8; a name that is not valid UTF-8 is shown with `\\xNN` escapes), which ends with the
  count. The pixel limit is checked on the file's header, before the image is decoded.
- A class none of whose images can be read is an error that names it: the build is
  thrown away and nothing appears at `output_dir`.
- Everything is built in a hidden folder beside `output_dir`, which is renamed into place
  only when the whole build succeeded. A build killed at any point (even SIGKILL) leaves
  nothing at `output_dir`, and the next run removes the leftovers and completes.

The output folder holds train.hdf5, val.hdf5 and test.hdf5 (a split of size 0 is left out),
`<name>_mean.json` and `build_report.txt`.
"""

import collections
import concurrent.futures
import multiprocessing
import numbers
import os
import pathlib
import shutil

import numpy as np
import progressbar

from pyimagesearch.datasets import imagefiles, splits
from pyimagesearch.io import imagedecoding
from pyimagesearch.io.hdf5datasetwriter import HDF5DatasetWriter
from pyimagesearch.preprocessing import resizing
from pyimagesearch.utils import atomic, errors, validation

REPORT_NAME = "build_report.txt"
# Images per task sent to a worker, and tasks in flight per worker: enough to keep the
# workers busy, few enough that memory does not grow with the collection.
_CHUNK_IMAGES = 8
_TASKS_IN_FLIGHT_PER_WORKER = 4
# Rows the writer holds before flushing to disk.
_BUFFER_BYTES = 32 * 1024 * 1024


def build_hdf5_dataset(
    image_paths,
    labels,
    output_dir,
    width,
    height,
    name=None,
    label_names=None,
    val_size=0.1,
    test_size=0.1,
    seed=42,
    resize="aspect",
    preprocessors=None,
    workers=None,
    use_multiprocessing=False,
    overwrite=False,
    progress=True,
    compression=None,
    max_image_pixels=imagefiles.MAX_IMAGE_PIXELS,
):
    """Builds `output_dir` with train/val/test HDF5 files; returns a summary dict.

    Args:
        image_paths: image files (str or path-like).
        labels: one per path: class names (str), or integer labels with `label_names`.
        output_dir: the folder to create; it must not exist unless `overwrite=True`.
        width, height: the stored image size.
        name: the dataset's name, for `<name>_mean.json`; default: the folder's name.
        label_names: names of integer labels (default: the sorted distinct str labels).
        val_size, test_size: a fraction (0 <= f < 1) or a number of images; 0 leaves that
            split out. The split is stratified by label and seeded by `seed`.
        seed: seed of the split and of the row order.
        resize: "aspect" (AspectAwarePreprocessor: scale, then centre-crop; the course's
            choice) or "stretch" (SimplePreprocessor). Ignored when `preprocessors` is given.
        preprocessors: per-image preprocessors (`preprocess(image)`) that turn a decoded BGR
            image into uint8 (height, width, 3); they must be thread-safe, and picklable
            with `use_multiprocessing=True`.
        workers: decoding threads (or processes); default: the number of CPUs available;
            0 or 1 decodes in this thread.
        use_multiprocessing: decode in worker processes instead of threads.
        overwrite: replace an existing `output_dir` (only once the new build is complete).
        progress: show a progress bar.
        compression: None (default, fastest to read), "lzf" or "gzip".
        max_image_pixels: images with more pixels (width x height, read from the file's
            header) are skipped before they are decoded; default Pillow's limit,
            `imagefiles.MAX_IMAGE_PIXELS`; None: no limit.

    Raises a user error, leaving nothing at `output_dir`, for bad arguments and when a class
    or a split has no readable image.

    Returns a dict with "output_dir", "files" and "counts" (per split), "skipped" (a list of
    (path, reason)), "mean" ({"R", "G", "B"} of the training split), "label_names",
    "mean_path", "report_path" and "extra_paths" (see `build_hdf5_splits`; empty here).
    """
    image_paths, integer_labels, label_names = _validate_inputs(image_paths, labels, label_names)
    width = validation.check_image_size("width", width)
    height = validation.check_image_size("height", height)
    output_dir, name = check_destination(output_dir, name, overwrite)
    _worker_count(workers)
    validation.check_booleans(use_multiprocessing=use_multiprocessing)
    imagefiles.check_max_image_pixels(max_image_pixels)
    if preprocessors is None:
        preprocessors = [resizing.make_resizer(resize, width, height)]
    parts = splits.split_train_val_test(image_paths, integer_labels, val_size, test_size, seed)
    return build_hdf5_splits(
        parts, label_names, output_dir, width, height, name=name, preprocessors=preprocessors, workers=workers,
        use_multiprocessing=use_multiprocessing, overwrite=overwrite, progress=progress, compression=compression,
        max_image_pixels=max_image_pixels,
    )


def check_destination(output_dir, name=None, overwrite=False):
    """Checks where a build will go, before any image is read; returns (output_dir, name).

    `output_dir` (a path) must not exist unless `overwrite` is True; `name` (default: the
    folder's name) must be a plain file-name stem, for `<name>_mean.json`.
    """
    output_dir = pathlib.Path(output_dir)
    validation.check_booleans(overwrite=overwrite)
    name = _validate_name(name if name is not None else output_dir.name)
    if output_dir.exists() and not overwrite:
        raise FileExistsError(
            f"{output_dir} exists; pass overwrite=True (--overwrite) to rebuild it. "
            f"Received: output_dir={str(output_dir)!r}"
        )
    return output_dir, name


def build_hdf5_splits(
    parts,
    label_names,
    output_dir,
    width,
    height,
    name=None,
    preprocessors=None,
    resize="aspect",
    workers=None,
    use_multiprocessing=False,
    overwrite=False,
    progress=True,
    compression=None,
    max_image_pixels=imagefiles.MAX_IMAGE_PIXELS,
    extra_files=None,
):
    """Builds `output_dir` from splits made already (a dataset's own, such as Tiny ImageNet's).

    `parts` maps "train" (required), "val" and "test" to (paths, integer labels indexing
    `label_names`), each in the row order to write; `extra_files` maps file names to text
    written into the folder with the rest (e.g. a class list). Everything else is as in
    `build_hdf5_dataset`, which splits a collection and then calls this: the same decoding,
    training mean, report, skipped-image rules and all-or-nothing rename into place.
    """
    width = validation.check_image_size("width", width)
    height = validation.check_image_size("height", height)
    output_dir, name = check_destination(output_dir, name, overwrite)
    parts, label_names = _validate_parts(parts, label_names)
    extra_files = _validate_extra_files(extra_files)
    workers = _worker_count(workers)
    validation.check_booleans(use_multiprocessing=use_multiprocessing)
    max_image_pixels = imagefiles.check_max_image_pixels(max_image_pixels)
    if preprocessors is None:
        preprocessors = [resizing.make_resizer(resize, width, height)]
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    atomic.remove_stale_partials(output_dir)
    staging_dir = atomic.temporary_sibling(output_dir)
    staging_dir.mkdir()
    try:
        decoder = _Decoder((width, height), preprocessors, workers, use_multiprocessing, max_image_pixels)
        result = _build_into(staging_dir, parts, label_names, (width, height), decoder, progress, compression, name)
        for file_name, text in extra_files.items():
            atomic.write_text_atomic(staging_dir / file_name, text)
        _commit(staging_dir, output_dir)
    except BaseException:
        shutil.rmtree(staging_dir, ignore_errors=True)
        raise
    result = _relocate(result, staging_dir, output_dir)
    result["extra_paths"] = {file_name: output_dir / file_name for file_name in extra_files}
    return result


def build_from_dataset(dataset, output_dir, width, height, layout="auto", **options):
    """Builds `output_dir` from a catalog name or a folder of images; prints and returns the summary.

    `dataset` is resolved like every `--dataset` flag (a catalog entry is downloaded and
    verified first); `layout` is as in `imagefiles.list_labelled_images`; `options` go to
    `build_hdf5_dataset`.
    """
    from pyimagesearch.datasets import catalog

    # Checked before a catalog dataset is downloaded; build_hdf5_dataset checks the rest.
    validation.check_image_size("width", width)
    validation.check_image_size("height", height)
    folder = catalog.resolve_dataset(dataset)
    paths, labels = imagefiles.list_labelled_images(folder, layout)
    print(f"[INFO] building {errors.display_path(output_dir)} from {len(paths)} images in {errors.display_path(folder)}")
    result = build_hdf5_dataset(paths, labels, output_dir, width, height, **options)
    print_summary(result)
    return result


def print_summary(result):
    """Prints what a build wrote and how many images it skipped."""
    for split, path in result["files"].items():
        print(f"[INFO] {split}: {result['counts'][split]} images -> {path}")
    print(f"[INFO] mean (training split) -> {result['mean_path']}: {result['mean']}")
    skipped = len(result["skipped"])
    total = skipped + sum(result["counts"].values())
    print(f"[INFO] skipped {skipped} of {total} images (listed in {result['report_path']})")


def _build_into(staging_dir, parts, label_names, target_size, decoder, progress, compression, name):
    total = sum(len(paths) for paths, _ in parts.values())
    description = _describe(decoder.preprocessors)
    files, counts, skipped = {}, {}, []
    rows_per_class = np.zeros(len(label_names), dtype=np.int64)
    first_skipped = {}
    mean = None
    with decoder, _progress_bar(total, name, progress) as bar:
        for split in splits.TRAIN_VAL_TEST:
            if split not in parts:
                continue
            paths, labels = parts[split]
            writer = HDF5DatasetWriter(
                (len(paths), target_size[1], target_size[0], 3),
                staging_dir / f"{split}.hdf5",
                buffer_size=_buffer_rows(target_size),
                preprocessing=description,
                mean=mean,  # None for train (computed from its rows); the train mean for val/test
                compression=compression,
            )
            with writer:
                writer.store_class_labels(label_names)
                for index, (image, reason) in enumerate(decoder.decode(paths)):
                    if image is None:
                        skipped.append((paths[index], reason))
                        first_skipped.setdefault(int(labels[index]), (paths[index], reason))
                    else:
                        _check_shape(image, target_size, paths[index])
                        writer.add(image[None], labels[index : index + 1])
                        rows_per_class[labels[index]] += 1
                    bar.update(bar.value + 1)
                if writer.rows_added == 0:
                    raise errors.InvalidArgumentError(f"No image of the {split} split could be read. Received: {len(paths)} paths, all skipped")
            files[split], counts[split] = writer.output_path, writer.rows_added
            if split == "train":
                mean = writer.mean
    _check_every_class_read(label_names, rows_per_class, first_skipped)
    mean_path = staging_dir / f"{name}_mean.json"
    atomic.write_json_atomic(mean_path, mean)
    report_path = staging_dir / REPORT_NAME
    atomic.write_text_atomic(report_path, _report_text(name, counts, skipped, description))
    return {
        "files": files,
        "counts": counts,
        "skipped": skipped,
        "mean": mean,
        "label_names": list(label_names),
        "mean_path": mean_path,
        "report_path": report_path,
    }


def _report_text(name, counts, skipped, description):
    total = len(skipped) + sum(counts.values())
    lines = [
        f"HDF5 build report: {name}",
        f"preprocessing: {description}",
        "written: " + ", ".join(f"{split} {count}" for split, count in counts.items()),
        "",
        "skipped images (path<TAB>reason):" if skipped else "skipped images: none",
    ]
    lines += imagefiles.skipped_lines(skipped)
    lines += ["", f"Skipped {len(skipped)} of {total} images."]
    return "\n".join(lines) + "\n"


def _check_every_class_read(label_names, rows_per_class, first_skipped):
    """Refuses a class that has images but none of them readable, naming it and its first reason.

    Without this the files would list the class while holding no row of it, and a model
    would be scored on it with a support of 0. `first_skipped` maps a label to the first of
    its images that was skipped, as (path, reason). A name in `label_names` without any image
    (given on purpose) passes.
    """
    unread = sorted(label for label in first_skipped if rows_per_class[label] == 0)
    if not unread:
        return
    names = ", ".join(repr(str(label_names[label])) for label in unread)
    path, reason = first_skipped[unread[0]]
    raise errors.InvalidArgumentError(
        f"No image of class {names} could be read (first: {errors.display_path(path)}: {reason}); fix or "
        f"remove its files, or remove the class. Received: {len(unread)} class(es) with no readable image"
    )


def _commit(staging_dir, output_dir):
    """Renames the finished build into place; an old build is replaced only now."""
    if output_dir.exists():
        old = atomic.temporary_sibling(output_dir)
        os.replace(output_dir, old)
        os.replace(staging_dir, output_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging_dir, output_dir)


def _relocate(result, staging_dir, output_dir):
    def moved(path):
        return output_dir / pathlib.Path(path).relative_to(staging_dir)

    result["files"] = {split: moved(path) for split, path in result["files"].items()}
    result["mean_path"] = moved(result["mean_path"])
    result["report_path"] = moved(result["report_path"])
    result["output_dir"] = output_dir
    return result


def _worker_context():
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")  # Windows
    context = multiprocessing.get_context("forkserver")
    # Only what the workers run: the builder itself imports scikit-learn (about 2 s).
    context.set_forkserver_preload(["pyimagesearch.io.imagedecoding"])
    return context


class _Decoder:
    """Decodes images in order: in worker threads, worker processes, or this thread."""

    def __init__(self, target_size, preprocessors, workers, use_multiprocessing, max_pixels):
        self.target_size = target_size
        self.preprocessors = preprocessors
        self.max_pixels = max_pixels
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.pool = None

    def __enter__(self):
        if self.workers <= 1:
            return self
        if self.use_multiprocessing:
            # Not fork: a process that has run TensorFlow (or any threaded library) may be
            # forked while another thread holds a lock, and the child then waits forever;
            # the test suite hung that way. A forkserver starts one clean process and forks
            # the workers from it; the per-image modules it preloads don't import TensorFlow.
            self.pool = _worker_context().Pool(
                self.workers,
                initializer=imagedecoding.initialize_worker,
                initargs=(self.target_size, self.preprocessors, self.max_pixels),
            )
        else:
            self.pool = concurrent.futures.ThreadPoolExecutor(self.workers, thread_name_prefix="decode")
        return self

    def decode(self, paths):
        """Yields (image, None) or (None, reason) for every path, in order."""
        if self.pool is None:
            for path in paths:
                yield imagedecoding.decode(path, self.target_size, self.preprocessors, self.max_pixels)
            return
        pending = collections.deque()
        window = self.workers * _TASKS_IN_FLIGHT_PER_WORKER
        for start in range(0, len(paths), _CHUNK_IMAGES):
            pending.append(self._submit(paths[start : start + _CHUNK_IMAGES]))
            if len(pending) >= window:
                yield from self._result(pending.popleft())
        while pending:
            yield from self._result(pending.popleft())

    def _submit(self, chunk):
        if self.use_multiprocessing:
            return self.pool.apply_async(imagedecoding.decode_chunk_in_worker, (chunk,))
        return self.pool.submit(
            imagedecoding.decode_chunk, chunk, self.target_size, self.preprocessors, self.max_pixels
        )

    def _result(self, task):
        return task.get() if self.use_multiprocessing else task.result()

    def __exit__(self, exception_type, exception, traceback):
        if self.pool is None:
            return False
        if not self.use_multiprocessing:
            self.pool.shutdown(wait=True, cancel_futures=exception_type is not None)
        elif exception_type is None:
            self.pool.close()
            self.pool.join()
        else:
            self.pool.terminate()
            self.pool.join()
        return False


def _check_shape(image, target_size, path):
    width, height = target_size
    if getattr(image, "shape", None) != (height, width, 3):
        raise errors.InvalidArgumentError(
            f"The preprocessors must give ({height}, {width}, 3) images; {path} came out as "
            f"{getattr(image, 'shape', type(image).__name__)}. Received: a preprocessor that does not resize to the target"
        )


def _progress_bar(total, name, progress):
    if progress:
        return progressbar.ProgressBar(max_value=total, prefix=f"building {name}: ")
    return progressbar.NullBar(max_value=total)


def _buffer_rows(target_size):
    return max(16, _BUFFER_BYTES // (target_size[0] * target_size[1] * 3))


def _describe(preprocessors):
    """A deterministic description of the preprocessing, for the file attribute."""
    steps = ["read_image (EXIF orientation applied; 8-bit BGR; alpha over white; reduced JPEG decode)"]
    for preprocessor in preprocessors:
        settings = ", ".join(
            f"{key}={value!r}"
            for key, value in sorted(vars(preprocessor).items())
            if not key.startswith("_") and isinstance(value, (bool, int, float, str))
        )
        steps.append(f"{type(preprocessor).__name__}({settings})")
    return "; ".join(steps)


def _validate_inputs(image_paths, labels, label_names):
    if isinstance(image_paths, (str, os.PathLike)):
        raise errors.InvalidArgumentError(f"`image_paths` must be a list of paths, not one path. Received: image_paths={str(image_paths)!r}")
    image_paths = [str(path) for path in image_paths]
    labels = list(labels)
    if not image_paths or len(image_paths) != len(labels):
        raise errors.InvalidArgumentError(
            "`image_paths` and `labels` must be non-empty and of the same length. "
            f"Received: {len(image_paths)} paths, {len(labels)} labels"
        )
    if all(isinstance(label, str) for label in labels):
        names = sorted(set(labels)) if label_names is None else list(label_names)
        index = {name: position for position, name in enumerate(names)}
        unknown = sorted(set(labels) - set(index))
        if unknown:
            raise errors.InvalidArgumentError(f"Labels {unknown[:5]} are not in `label_names`. Received: label_names={names!r}")
        integers = np.array([index[label] for label in labels], dtype=np.int64)
    elif all(isinstance(label, numbers.Integral) and not isinstance(label, bool) and label >= 0 for label in labels):
        integers = np.asarray(labels, dtype=np.int64)
        names = [str(value) for value in range(integers.max() + 1)] if label_names is None else list(label_names)
        if integers.max() >= len(names):
            raise errors.InvalidArgumentError(f"Label {integers.max()} has no name. Received: label_names={names!r}")
    else:
        raise errors.InvalidArgumentError(
            f"`labels` must be all class names (str) or all non-negative integers. Received: e.g. {labels[:3]!r}"
        )
    if len(set(integers.tolist())) < 2:
        raise errors.InvalidArgumentError(f"A classifier needs at least 2 classes. Received: classes={sorted(set(map(str, labels)))}")
    return image_paths, integers, names


def _validate_parts(parts, label_names):
    """`parts` as {split: (list of str paths, int64 labels)} in TRAIN_VAL_TEST order; user errors otherwise."""
    if not isinstance(parts, dict) or "train" not in parts or not set(parts) <= set(splits.TRAIN_VAL_TEST):
        keys = sorted(parts) if isinstance(parts, dict) else type(parts).__name__
        raise errors.InvalidArgumentError(
            f"`parts` must be a dict with a 'train' entry and optional 'val' and 'test' entries. Received: {keys}"
        )
    label_names = [str(label_name) for label_name in label_names]
    if len(label_names) < 2 or len(set(label_names)) != len(label_names):
        raise errors.InvalidArgumentError(f"`label_names` must be 2 or more distinct names. Received: label_names={label_names[:6]!r}")
    checked = {}
    for split in splits.TRAIN_VAL_TEST:
        if split not in parts:
            continue
        paths, labels = parts[split]
        paths, labels = [str(path) for path in paths], np.asarray(labels)
        if not paths or len(paths) != len(labels) or not np.issubdtype(labels.dtype, np.integer):
            raise errors.InvalidArgumentError(
                f"parts[{split!r}] must be non-empty paths and as many integer labels. "
                f"Received: {len(paths)} paths, {len(labels)} labels of dtype {labels.dtype}"
            )
        if labels.min() < 0 or labels.max() >= len(label_names):
            raise errors.InvalidArgumentError(
                f"parts[{split!r}] has labels outside [0, {len(label_names)}). Received: [{labels.min()}, {labels.max()}]"
            )
        checked[split] = (paths, labels.astype(np.int64))
    return checked, label_names


def _validate_extra_files(extra_files):
    extra_files = dict(extra_files or {})
    reserved = {f"{split}.hdf5" for split in splits.TRAIN_VAL_TEST} | {REPORT_NAME}
    for file_name, text in extra_files.items():
        if not isinstance(text, str) or file_name in reserved:
            raise errors.InvalidArgumentError(
                f"`extra_files` must map new file names to text. Received: {file_name!r} -> {type(text).__name__}"
            )
        _validate_name(file_name)
    return extra_files


def _validate_name(name):
    if not isinstance(name, str) or not name or "/" in name or "\\" in name or name.startswith("."):
        raise errors.InvalidArgumentError(f"`name` must be a plain file-name stem. Received: name={name!r}")
    return name


def _worker_count(workers):
    if workers is None:
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return validation.check_integer("workers", workers, minimum=0)
