"""Convolutional networks from the course, in Keras 3.

Each is a class with a static `build(width, height, depth, classes, ...)` that returns an
uncompiled `keras.Model` and honours `keras.backend.image_data_format()`. `FCHeadNet` is the
exception: it builds a new classifier head on a pre-trained base for fine-tuning; `boxregressor`
(a box-regression head on a backbone) is imported from its module.
"""

from pyimagesearch.nn.conv.alexnet import AlexNet
from pyimagesearch.nn.conv.deepergooglenet import DeeperGoogLeNet
from pyimagesearch.nn.conv.fcheadnet import FCHeadNet
from pyimagesearch.nn.conv.fcheadnet import build_surgery_model
from pyimagesearch.nn.conv.lenet import LeNet
from pyimagesearch.nn.conv.minigooglenet import MiniGoogLeNet
from pyimagesearch.nn.conv.minivggnet import MiniVGGNet
from pyimagesearch.nn.conv.resnet import ResNet
from pyimagesearch.nn.conv.shallownet import ShallowNet
from pyimagesearch.nn.conv.stridenet import StrideNet

__all__ = [
    "AlexNet",
    "DeeperGoogLeNet",
    "FCHeadNet",
    "LeNet",
    "MiniGoogLeNet",
    "MiniVGGNet",
    "ResNet",
    "ShallowNet",
    "StrideNet",
    "build_surgery_model",
]
