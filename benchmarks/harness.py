"""What both benchmarks share: the data set, interleaved timing, peak memory and the tables.

The machine is noisy (shared vCPUs), so every path is measured several times, interleaved
(repeat 1 of every path, then repeat 2 of every path, ...), and reported as min / median / max.
Ratios are taken per repeat between paths measured side by side, then summarised the same way.
Tables are printed as Markdown, ready to paste into benchmarks/README.md.
"""

import json
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import time

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]
DEFAULT_WORK_DIR = REPOSITORY / "output" / "benchmarks"
RESULT_PREFIX = "BENCHMARK-RESULT "


def flowers_folder(dataset, work_dir, scale=1):
    """The image folder to measure on: `dataset` (catalog name or folder), grown `scale` times.

    The default `synthetic-flowers17` is generated once into datasets/ (1,360 JPEGs of about
    500x375 in 17 class folders, like Flowers-17). `scale` > 1 makes a folder holding `scale`
    hard links to every file (a copy where links are impossible): the same decoding work per
    image, `scale` times the images, no extra disk space.
    """
    from pyimagesearch.datasets import catalog, imagefiles

    source = catalog.resolve_dataset(dataset)
    if scale == 1:
        return source
    target = pathlib.Path(work_dir) / f"{source.name}-x{scale}"
    if target.is_dir():
        return target
    partial = target.with_name(target.name + ".partial")
    for path in imagefiles.list_images(source):
        relative = pathlib.Path(path).relative_to(source)
        for copy in range(scale):
            destination = partial / relative.parent / f"copy{copy}_{relative.name}"
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, destination)
            except OSError:
                destination.write_bytes(pathlib.Path(path).read_bytes())
    os.replace(partial, target)
    return target


def interleaved(paths, repeats, report=None):
    """Runs every path once per repeat, in turn; returns {name: [value per repeat]}.

    `paths` maps a name to a function returning the measured value (e.g. images/s).
    """
    results = {name: [] for name in paths}
    for repeat in range(repeats):
        for name, function in paths.items():
            value = function()
            results[name].append(value)
            if report is not None:
                report(f"  repeat {repeat + 1}/{repeats}  {name}: {value:,.0f}")
    return results


def summary(values):
    """(min, median, max) of a list of numbers."""
    return min(values), statistics.median(values), max(values)


def ratios(values, baseline_values):
    """Per-repeat ratios value / baseline, for paths measured side by side."""
    return [value / baseline for value, baseline in zip(values, baseline_values)]


def format_triple(values, digits=0, suffix=""):
    low, middle, high = summary(values)
    return f"{low:,.{digits}f}{suffix} / **{middle:,.{digits}f}{suffix}** / {high:,.{digits}f}{suffix}"


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def peak_rss_mb():
    """Peak resident memory of this process and of its largest finished child, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    unit = 1024 * 1024 if sys.platform == "darwin" else 1024
    return own / unit, children / unit


def reset_peak_rss():
    """Resets this process's peak-RSS mark (Linux: /proc/self/clear_refs); False where unsupported."""
    try:
        pathlib.Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_rss_since_reset_mb():
    """This process's peak RSS since `reset_peak_rss()` (VmHWM), in MB; None where unsupported."""
    try:
        status = pathlib.Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def emit_result(payload):
    """How a child measurement hands its result to the parent: one JSON line on stdout."""
    print(RESULT_PREFIX + json.dumps(payload), flush=True)


def run_child(script, arguments, timeout=3600):
    """Runs `script` in a fresh Python process and returns the JSON result it emitted.

    A fresh process per measurement keeps peak memory per path and stops one path's caches
    and threads from helping or hurting the next.
    """
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(REPOSITORY))
    completed = subprocess.run(
        [sys.executable, str(script), *arguments],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environment,
        cwd=REPOSITORY,
    )
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :])
    raise RuntimeError(
        f"{script} {' '.join(arguments)} failed (exit {completed.returncode}):\n{completed.stderr[-3000:]}"
    )


class Stopwatch:
    """`with Stopwatch() as watch: ...` then `watch.seconds`."""

    def __enter__(self):
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exception):
        self.seconds = time.perf_counter() - self._start
        return False


def directory_bytes(folder, pattern="*.hdf5"):
    return sum(path.stat().st_size for path in pathlib.Path(folder).glob(pattern))


def goals_table(goals):
    """Prints the issue's goals against the measured medians: (goal, measured, target, higher_is_better)."""
    rows = []
    for goal, measured, target, higher_is_better in goals:
        met = measured >= target if higher_is_better else measured <= target
        rows.append([goal, f"{measured:,.4g}", ("yes" if met else "**no**")])
    print("\n#### Goals\n")
    print(markdown_table(["goal", "measured (median)", "met"], rows))
