"""Draw MiniVGGNet's architecture (the course's "visualizing network architectures" step).

    python experiments/minivgg_cifar10/visualize.py                       # output/minivgg_cifar10/minivggnet.png
    python experiments/minivgg_cifar10/visualize.py --no-batch-norm --output-file /tmp/minivggnet_nobn.png

With pydot (`pip install -e ".[viz]"`) and Graphviz's `dot` program (e.g. `apt-get install
graphviz`) it writes `keras.utils.plot_model`'s diagram, with the shape of every layer. Without
them it says what to install and writes the text summary (`model.summary()`) next to the
requested file, as <name>.txt, instead.
"""

import argparse
import importlib.util
import pathlib
import shutil
import sys

import keras

import config
from pyimagesearch.nn.conv.minivggnet import MiniVGGNet
from pyimagesearch.utils import atomic, cli

CLASSES = 10


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output-file", default=f"{config.OUTPUT}/{config.EXPERIMENT}/minivggnet.png",
                        help="the diagram (PNG); the text summary goes to the same name with .txt")
    parser.add_argument("--batch-norm", action=argparse.BooleanOptionalAction, default=config.BATCH_NORM)
    return parser.parse_args()


def missing_tools():
    """What plot_model needs and this machine lacks: the pydot module, Graphviz's dot program."""
    missing = []
    if importlib.util.find_spec("pydot") is None:
        missing.append('pydot (pip install -e ".[viz]")')
    if shutil.which("dot") is None:
        missing.append("Graphviz's dot program (e.g. apt-get install graphviz, or brew install graphviz)")
    return missing


def summary_text(model):
    lines = []
    model.summary(print_fn=lambda line, **unused: lines.append(line))
    return "\n".join(lines) + "\n"


def main():
    arguments = parse_arguments()
    output_file = pathlib.Path(arguments.output_file)
    output_file.parent.mkdir(parents=True, exist_ok=True)
    model = MiniVGGNet.build(width=32, height=32, depth=3, classes=CLASSES, batch_norm=arguments.batch_norm)
    missing = missing_tools()
    if not missing:
        with atomic.atomic_output_path(output_file) as temporary_path:
            # plot_model picks the image format from the suffix, which the temporary name keeps.
            keras.utils.plot_model(model, to_file=str(temporary_path), show_shapes=True, show_layer_names=True)
        print(f"[INFO] wrote the architecture diagram {output_file}")
        return 0
    summary_path = output_file.with_suffix(".txt")
    atomic.write_text_atomic(summary_path, summary_text(model))
    print(f"[INFO] no diagram: plot_model needs {' and '.join(missing)}.")
    print(f"[INFO] wrote the text summary {summary_path} instead")
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(main))
