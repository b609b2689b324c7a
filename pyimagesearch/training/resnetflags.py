"""--stages and --filters: the architecture flags the ResNet experiments share.

    resnetflags.add_architecture_arguments(parser, config)   # defaults: config.STAGES, config.FILTERS
    arguments = flags.parse_run_arguments(parser)
    resnetflags.check_architecture_arguments(arguments)

The defaults are the experiment's course network; smaller values build a small variant of the
same architecture (the end-to-end tests use one, so they take seconds). A resumed run keeps its
own values from config.json, like every other setting (`runs.open_run`).
"""

from pyimagesearch.nn.conv import resnet


def add_architecture_arguments(parser, config):
    """Adds --stages and --filters to `parser`, defaulting to `config.STAGES` and `config.FILTERS`."""
    parser.add_argument("--stages", type=int, nargs="+", default=list(config.STAGES), help="modules per stage")
    parser.add_argument("--filters", type=int, nargs="+", default=list(config.FILTERS),
                        help="the stem's filters, then each stage's output channels (one more than --stages)")
    return parser


def check_architecture_arguments(arguments):
    """Raises a user error unless `ResNet.build` can use --stages and --filters; returns `arguments`."""
    resnet.check_stages_and_filters(arguments.stages, arguments.filters)
    return arguments
