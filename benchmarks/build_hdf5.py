"""Building an HDF5 data set: the course's writer against ours, side by side.

    python benchmarks/build_hdf5.py                          # synthetic-flowers17 at 64x64, 5 repeats
    python benchmarks/build_hdf5.py --dataset flowers17      # the real photos
    python benchmarks/build_hdf5.py --quick                  # 1 repeat, no memory section: a smoke test

Paths, each measured in a fresh process (so its peak memory is its own), interleaved:
- course: one process, `cv2.imread` at full size, AspectAwarePreprocessor, float64 writer
  (benchmarks/coursepaths.py re-creates the course's code);
- ours: `pyimagesearch.io.build_hdf5_dataset` with its defaults: worker threads, one per CPU
  (reduced JPEG decode, uint8, temporary folder renamed into place);
- ours, processes: the same with `use_multiprocessing=True` (worker processes);
- ours, 1 thread: the same with `workers=0`, to separate the gain of the decode and storage
  from the gain of the workers;
- in-memory: `SimpleDatasetLoader` loading the same images into a NumPy array (no file), the
  way the flagship loads data.
All write (or load) every image once, split 75/25 into train/test files, at --size x --size.
The timer starts after imports and stops when the files are closed.

The memory section builds with ours at 1x and at 10x the images (hard links to the same
files) and prints the peak resident memory of the building process and of its largest worker.
"""

import argparse
import pathlib
import shutil
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from benchmarks import harness  # noqa: E402

PATHS = {
    "course": "course: 1 process, full decode, float64 writer",
    "ours": "ours: build_hdf5_dataset, worker threads (default)",
    "ours-processes": "ours: build_hdf5_dataset, worker processes",
    "ours-1": "ours: build_hdf5_dataset, 1 thread",
    "in-memory": "in-memory: SimpleDatasetLoader, no file",
}
CHILD_NOTE = (
    "Worker threads count in the process's own figure. A forked child's peak RSS counts the pages it shares "
    "with its parent; every path forks at least one (`uname -p`, run by `platform.processor()`), hence the "
    "same figure on paths without worker processes."
)
TEST_SIZE = 0.25
SEED = 42


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="synthetic-flowers17", help="catalog name or folder of class folders")
    parser.add_argument("--size", type=int, default=64, help="stored width and height")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--workers", type=int, default=None, help="ours: workers (default: all CPUs)")
    parser.add_argument("--memory-scales", type=int, nargs="*", default=[1, 10], help="data set sizes for peak RSS")
    parser.add_argument("--work-dir", default=str(harness.DEFAULT_WORK_DIR))
    parser.add_argument("--skip", nargs="*", default=[], choices=["speed", "memory"], help="sections to leave out")
    parser.add_argument("--quick", action="store_true", help="1 repeat and no memory section")
    parser.add_argument("--child", choices=sorted(PATHS), help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    return parser.parse_args()


def child(arguments):
    """Measures one path in this (fresh) process and emits the result."""
    # Import everything any path uses before a timer starts: importing the preprocessing
    # package pulls in TensorFlow, which takes seconds and is not building work.
    import pyimagesearch.datasets  # noqa: F401
    import pyimagesearch.preprocessing  # noqa: F401
    from pyimagesearch.datasets import imagefiles
    from pyimagesearch.io import builder  # noqa: F401

    paths, labels = imagefiles.list_labelled_images(arguments.folder)
    size = arguments.size
    output = pathlib.Path(tempfile.mkdtemp(dir=arguments.work_dir, prefix=f"{arguments.child}-"))
    try:
        if arguments.child == "course":
            seconds, images, stored = _course(paths, labels, output, size)
        elif arguments.child == "in-memory":
            seconds, images, stored = _in_memory(paths, size)
        else:
            workers = 0 if arguments.child == "ours-1" else arguments.workers
            use_multiprocessing = arguments.child == "ours-processes"
            seconds, images, stored = _ours(paths, labels, output / "out", size, workers, use_multiprocessing)
    finally:
        shutil.rmtree(output, ignore_errors=True)
    own, workers_peak = harness.peak_rss_mb()
    harness.emit_result(
        {"images_per_second": images / seconds, "images": images, "bytes": stored, "rss": own, "worker_rss": workers_peak}
    )


def _course(paths, labels, output, size):
    import numpy as np

    from benchmarks import coursepaths
    from pyimagesearch.datasets import splits

    names = sorted(set(labels))
    integers = np.array([names.index(label) for label in labels])
    with harness.Stopwatch() as watch:
        parts = splits.split_train_val_test(paths, integers, val_size=0, test_size=TEST_SIZE, seed=SEED)
        images = coursepaths.course_build(parts, names, output, size, size)
    return watch.seconds, images, harness.directory_bytes(output)


def _ours(paths, labels, output, size, workers, use_multiprocessing):
    from pyimagesearch.io import builder

    with harness.Stopwatch() as watch:
        result = builder.build_hdf5_dataset(
            paths, labels, output, size, size, val_size=0, test_size=TEST_SIZE, seed=SEED, workers=workers,
            use_multiprocessing=use_multiprocessing, progress=False,
        )
    return watch.seconds, sum(result["counts"].values()), harness.directory_bytes(output)


def _in_memory(paths, size):
    from pyimagesearch.datasets import SimpleDatasetLoader
    from pyimagesearch.preprocessing import AspectAwarePreprocessor

    loader = SimpleDatasetLoader([AspectAwarePreprocessor(size, size)], target_size=(size, size))
    with harness.Stopwatch() as watch:
        data, _ = loader.load(paths, verbose=False)
    return watch.seconds, len(data), None


def measure(arguments, path, folder):
    child_arguments = ["--child", path, "--folder", str(folder), "--size", str(arguments.size),
                       "--work-dir", arguments.work_dir]
    if arguments.workers is not None:
        child_arguments += ["--workers", str(arguments.workers)]
    return harness.run_child(pathlib.Path(__file__), child_arguments)


def speed_section(arguments, folder):
    results = {}

    def runner(path):
        def run():
            result = measure(arguments, path, folder)
            results.setdefault(path, []).append(result)
            return result["images_per_second"]

        return run

    print(f"[INFO] {len(PATHS)} paths x {arguments.repeats} repeats on {folder} at {arguments.size}x{arguments.size}")
    rates = harness.interleaved({path: runner(path) for path in PATHS}, arguments.repeats, report=print)
    course_bytes = results["course"][0]["bytes"]
    rows = []
    for path, label in PATHS.items():
        stored = results[path][0]["bytes"]
        rows.append([
            label,
            harness.format_triple(rates[path]),
            harness.format_triple(harness.ratios(rates[path], rates["course"]), 2, "x"),
            "-" if stored is None else f"{stored / 1e6:,.1f} MB",
            "-" if stored is None else f"1/{course_bytes / stored:.2f}",
            f"{max(result['rss'] for result in results[path]):,.0f} / {max(result['worker_rss'] for result in results[path]):,.0f}",
        ])
    images = results["course"][0]["images"]
    print(f"\n### Build: {images} images at {arguments.size}x{arguments.size}, {arguments.repeats} interleaved repeats\n")
    print(harness.markdown_table(
        ["path", "images/s (min / **median** / max)", "vs course", "files", "size vs course", "peak RSS MB (process / largest child*)"],
        rows,
    ))
    print(f"\n*{CHILD_NOTE}")
    import statistics

    harness.goals_table([
        ("ours >= 3x the course's images/s", statistics.median(harness.ratios(rates["ours"], rates["course"])), 3.0, True),
        ("our files <= 1/8 the course's size (ratio ours / course)", results["ours"][0]["bytes"] / course_bytes, 0.125, False),
    ])


def memory_section(arguments):
    rows = []
    baseline = None
    growth = 1.0
    for scale in arguments.memory_scales:
        folder = harness.flowers_folder(arguments.dataset, arguments.work_dir, scale)
        result = measure(arguments, "ours", folder)
        baseline = baseline or result
        growth = result["rss"] / baseline["rss"]
        rows.append([
            f"{scale}x ({result['images']:,} images)",
            f"{result['images_per_second']:,.0f}",
            f"{result['rss']:,.0f} ({result['rss'] / baseline['rss']:.2f}x)",
            f"{result['worker_rss']:,.0f} ({result['worker_rss'] / max(baseline['worker_rss'], 1e-9):.2f}x)",
        ])
    print("\n### Build: peak memory as the data set grows (ours)\n")
    print(harness.markdown_table(["data set", "images/s", "peak RSS MB, process (vs 1x)", "peak RSS MB, largest child process* (vs 1x)"], rows))
    print(f"\n*{CHILD_NOTE}")
    if len(arguments.memory_scales) > 1:
        harness.goals_table([
            (f"build peak RSS at {arguments.memory_scales[-1]}x within 20% of 1x (ratio)", growth, 1.2, False)
        ])


def main():
    arguments = parse_arguments()
    pathlib.Path(arguments.work_dir).mkdir(parents=True, exist_ok=True)
    if arguments.child:
        child(arguments)
        return
    if arguments.quick:
        arguments.repeats, arguments.memory_scales = 1, []
    folder = harness.flowers_folder(arguments.dataset, arguments.work_dir)
    _warm_page_cache(folder)
    if "speed" not in arguments.skip:
        speed_section(arguments, folder)
    if "memory" not in arguments.skip and arguments.memory_scales:
        memory_section(arguments)


def _warm_page_cache(folder):
    # Every path then reads the JPEGs from memory, not the first one from disk.
    for path in pathlib.Path(folder).rglob("*"):
        if path.is_file():
            path.read_bytes()


if __name__ == "__main__":
    main()
