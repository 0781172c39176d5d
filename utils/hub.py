"""TF-Hub models as real Keras 3 layers: frozen feature extractors or fine-tuned backbones.

Why this module exists (measured with TF 2.21 / Keras 3.15 / tensorflow-hub 0.16):

* ``hub.KerasLayer`` is a tf-keras (Keras 2) layer; a Keras 3 model refuses it ("Only instances of keras.Layer can
  be added").
* Wrapping it in a plain ``keras.layers.Layer`` runs, but Keras 3 does not see the module's variables, so
  ``trainable=True`` silently fine-tunes nothing.
* ``keras.layers.TFSMLayer`` tracks the variables, but names them after the raw TensorFlow names (``conv/kernel:0``
  becomes ``conv_kernel:0``), which is not a valid name for the optimizer's slot variables, and it has no notion of
  the ``training`` flag or of regularization losses.

:class:`HubLayer` loads a TF2 *reusable SavedModel* (the format TF-Hub and Kaggle Models serve: a ``__call__``
function, ``variables``, ``trainable_variables`` and optionally ``regularization_losses``) with
``tf.saved_model.load`` and registers every ``tf.Variable`` of the loaded object as a ``keras.Variable`` under a
clean, unique path. The Keras variable wraps the *same* ``tf.Variable`` that the SavedModel's functions read, so
``model.fit`` really updates the backbone. Like ``hub.KerasLayer`` and Keras' own ``BatchNormalization``, the
module runs in inference mode (``training=False``: frozen batch-norm statistics, no dropout) unless the layer is
trainable *and* the model is training.

:func:`export_reusable` writes a Keras model in the same format, so a course notebook can pre-train a backbone
offline and load it back through exactly the code path used for a real TF-Hub model.

:func:`install_inception_v3_standin` puts a *stand-in* for the real Inception V3 feature vector into a TF-Hub cache
(``TFHUB_CACHE_DIR``): TF-Slim's Inception V3 architecture under the real model's variable names, exported in the
same format, with **random weights**. ``hub_layer(INCEPTION_V3)`` then resolves it offline exactly as it resolves a
download, so the code that uses the real model (notebook 11, section 9) can run in tests; its accuracies mean
nothing, and every load of a stand-in warns so.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import os
import re
import warnings
from pathlib import Path
from typing import Any

import keras
import tensorflow as tf

from . import runtime
from .conv import output_size

#: The Inception V3 feature vector used by notebook 11 (ImageNet weights, 299x299 inputs in [0, 1], 2048 features).
#: tfhub.dev now redirects to Kaggle Models, where the same model is ``google/inception-v3/tensorFlow2/feature-vector``.
INCEPTION_V3 = "https://tfhub.dev/google/imagenet/inception_v3/feature_vector/5"

#: The variables ``HubLayer.fine_tune`` unfreezes in the real Inception V3 feature vector: its top two Inception
#: blocks. The TF-Hub model is TF-Slim's ``inception_v3`` (its documentation says so), so its variables carry TF-Slim
#: names such as ``InceptionV3/Mixed_7c/Branch_3/Conv2d_0b_1x1/weights:0`` (blocks Mixed_5b ... Mixed_7c, see
#: :data:`INCEPTION_V3_BLOCKS`); Mixed_7b and Mixed_7c are the blocks Keras' own fine-tuning example unfreezes under
#: its names ``mixed9``/``mixed10``, and Mixed_7a, the grid reduction before them, stays frozen.
INCEPTION_V3_TOP_BLOCKS = r"(^|/)Mixed_7[bc]/"

_KAGGLE_HANDLE = re.compile(r"^[\w.-]+/[\w.-]+/[\w.-]+/[\w.-]+(/\d+)?$")


class HubModelUnavailable(RuntimeError):
    """The model behind a handle could not be loaded (no network, unknown handle, or not a TF2 SavedModel)."""


def _local_copy_advice(url: str | None) -> str:
    download = (
        f"on a machine with internet run `python -c \"import tensorflow_hub as hub; print(hub.resolve('{url}'))\"` "
        f"(or download {url}?tf-hub-format=compressed and extract it), "
        if url
        else "download the model (the folder that contains saved_model.pb), "
    )
    return (
        f"To use a local copy: {download}copy that folder to this machine, e.g. to data/cache/<model>/, and pass "
        "its path instead: hub_layer('data/cache/<model>'). Alternatively point the TFHUB_CACHE_DIR environment "
        "variable at a TF-Hub cache that already holds the model."
    )


def handle_to_url(handle: str) -> str | None:
    """The URL tensorflow_hub resolves for a handle, or None for a local path.

    A Kaggle Models handle ``owner/model/framework/variation[/version]`` becomes its kaggle.com/models URL;
    ``http(s)://`` URLs (tfhub.dev, kaggle.com, a GCS bucket) are returned unchanged.

    >>> handle_to_url("google/inception-v3/tensorFlow2/feature-vector/2")
    'https://www.kaggle.com/models/google/inception-v3/tensorFlow2/feature-vector/2'
    """
    if handle.startswith(("http://", "https://")):
        return handle
    if _KAGGLE_HANDLE.match(handle) and not Path(handle).exists():
        return f"https://www.kaggle.com/models/{handle}"
    return None


def resolve(handle: str | os.PathLike) -> Path:
    """The local folder of the SavedModel behind ``handle`` (a TF-Hub/Kaggle URL, a Kaggle handle or a path).

    Downloads (through ``tensorflow_hub``'s cache) when needed. Raises :class:`HubModelUnavailable` with one
    message saying what was tried and how to use a local copy when the model cannot be had.
    """
    if not isinstance(handle, (str, os.PathLike)) or not str(handle).strip():
        raise ValueError(
            "handle must be a TF-Hub or Kaggle URL (https://...), a Kaggle handle (owner/model/framework/variation"
            f"[/version]) or the path of a SavedModel folder, got {handle!r}"
        )
    handle = str(handle).strip()
    url = handle_to_url(handle)
    if url is None:
        folder, tried = Path(handle).expanduser(), f"the local folder {Path(handle).expanduser().resolve()}"
    else:
        import tensorflow_hub as hub

        runtime.check_versions({"tensorflow_hub": hub})
        cache = os.environ.get("TFHUB_CACHE_DIR") or "tensorflow_hub's temporary folder"
        tried = f"downloading {url} with tensorflow_hub (cache: {cache})"
        try:
            folder = Path(hub.resolve(url))
        except Exception as err:  # urllib, socket, HTTP and tar errors all mean "could not get it"
            raise HubModelUnavailable(
                f"Could not load the TF-Hub model {handle!r}: tried {tried}, which failed "
                f"({type(err).__name__}: {err}). {_local_copy_advice(url)}"
            ) from err
    if not (folder / "saved_model.pb").is_file():
        problem = "does not exist" if not folder.exists() else "has no saved_model.pb"
        raise HubModelUnavailable(
            f"Could not load the TF-Hub model {handle!r}: tried {tried}, which {problem}. {_local_copy_advice(url)}"
        )
    return folder


def _keras_name(tf_name: str, taken: set[str]) -> str:
    """A valid, unique Keras variable name from a TensorFlow one: 'block1/conv/kernel:0' -> 'block1_conv_kernel'."""
    base = re.sub(r"[^\w.-]", "_", re.sub(r":\d+$", "", tf_name)) or "variable"
    name, k = base, 1
    while name in taken:
        k += 1
        name = f"{base}_{k}"
    taken.add(name)
    return name


def _accepts_training(fn: Any) -> bool:
    try:
        return "training" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


class HubLayer(keras.layers.Layer):
    """A TF2 reusable SavedModel (TF-Hub, Kaggle Models, or a local folder) as a Keras 3 layer.

    Args:
        handle: TF-Hub/Kaggle URL, Kaggle handle ``owner/model/framework/variation[/version]``, or local folder.
        trainable: False (default) freezes the module: it adds no trainable weights and always runs in inference
            mode. True exposes its ``trainable_variables`` to the optimizer (fine-tuning), passes the model's
            ``training`` flag to the module when its ``__call__`` accepts one (batch norm, dropout inside), and adds
            its ``regularization_losses`` to the model's losses.
        arguments: extra keyword arguments for every call of the module (as in ``hub.KerasLayer``).
        output_key: for modules that return a dict, the entry to output.
        inference_mode: True runs the module with ``training=False`` always, even while it is fine-tuned: batch
            norm keeps its moving statistics and normalises with them, dropout inside is off. (In a Keras 3.15
            functional model, ``layer(x, training=False)`` does *not* do this: ``fit`` overrides the explicit value.)
        **kwargs: ``keras.layers.Layer`` arguments (``name``, ``dtype``).
    """

    def __init__(self, handle: str | os.PathLike, trainable: bool = False, arguments: dict | None = None,
                 output_key: str | None = None, inference_mode: bool = False, **kwargs: Any) -> None:
        if keras.backend.backend() != "tensorflow":
            raise ValueError(f"HubLayer needs KERAS_BACKEND='tensorflow', got {keras.backend.backend()!r}")
        if not isinstance(trainable, bool):
            raise ValueError(f"trainable must be True or False, got {trainable!r}")
        super().__init__(trainable=trainable, **kwargs)
        self.handle = str(handle)
        self.resolved_path = resolve(handle)
        self.standin_notice = standin_notice(self.resolved_path)
        if self.standin_notice:
            warnings.warn(self.standin_notice, stacklevel=3)
        self.arguments = dict(arguments or {})
        self.output_key = output_key
        self.inference_mode = bool(inference_mode)
        try:
            module = tf.saved_model.load(str(self.resolved_path))
        except Exception as err:
            raise HubModelUnavailable(
                f"{self.resolved_path} holds a SavedModel that TensorFlow {tf.__version__} cannot load "
                f"({type(err).__name__}: {err}). {_local_copy_advice(handle_to_url(self.handle))}"
            ) from err
        if not callable(module):
            raise ValueError(
                f"handle {self.handle!r} is not a TF2 reusable SavedModel (its object has no __call__; TF1 Hub "
                "modules for hub.Module cannot be used from TF2/Keras 3): choose the model's TF2 version"
            )
        self._module = module
        self._training_arg = _accepts_training(module.__call__)
        self._regularization_losses = list(getattr(module, "regularization_losses", []))
        if trainable and not hasattr(module, "trainable_variables"):
            raise ValueError(f"trainable=True needs a SavedModel with trainable_variables; {self.handle!r} has none")
        trainable_ids = {id(v) for v in getattr(module, "trainable_variables", [])}
        all_vars = list(getattr(module, "variables", []))
        all_vars += [v for v in getattr(module, "trainable_variables", []) if id(v) not in {id(w) for w in all_vars}]
        self.module_variable_names = [v.name for v in all_vars]  # the SavedModel's own names ('conv/kernel:0')
        self._fine_tunable = [id(v) in trainable_ids for v in all_vars]
        taken: set[str] = set()
        with keras.name_scope(self.name, caller=self):
            # keras.Variable(initializer=<tf.Variable>) wraps that very tf.Variable (no copy), so an optimizer step
            # on the Keras variable is a step on the variable the SavedModel's functions read.
            self.module_variables = [
                keras.Variable(v, trainable=id(v) in trainable_ids, dtype=v.dtype, name=_keras_name(v.name, taken))
                for v in all_vars
            ]
        for variable, original in zip(self.module_variables, all_vars):
            if variable._value is not original:  # Keras < 3.10 copies a tf.Variable initializer instead of wrapping it:
                variable._value = original       # without this, fit() would train a copy the SavedModel never reads
        for variable in self.module_variables:
            # Keras 3 keeps a trainable variable's flag equal to its layer's (the `trainable` setter updates both; it
            # cannot be used here because assigning an unchanged value is skipped). Listed as trainable above, the
            # variables still follow a later `layer.trainable = True` (unfreezing for fine-tuning).
            variable.trainable = variable.trainable and trainable
        self.built = True

    def fine_tune(self, pattern: str, inference_mode: bool = True) -> list[str]:
        """Make the layer trainable but keep only the module variables whose SavedModel name matches ``pattern``
        (a regular expression, ``re.search``) trainable -- e.g. the top block of a backbone. Returns their names.

        ``inference_mode`` (default True) keeps the module's batch norm frozen while its weights train.
        Recompile the model afterwards (as after any change of ``trainable``).
        """
        regex = re.compile(pattern)
        chosen = [ok and bool(regex.search(name)) for ok, name in zip(self._fine_tunable, self.module_variable_names)]
        if not any(chosen):
            examples = [n for ok, n in zip(self._fine_tunable, self.module_variable_names) if ok]
            raise ValueError(f"pattern must match some trainable variable of {self.handle!r}, got {pattern!r}; "
                             f"its names look like {examples[:3]} ... {examples[-3:]}")
        self.trainable = True
        self.inference_mode = bool(inference_mode)
        for variable, keep in zip(self.module_variables, chosen):
            variable.trainable = keep
        return [name for name, keep in zip(self.module_variable_names, chosen) if keep]

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        kwargs = dict(self.arguments)
        if self._training_arg:
            # like BatchNormalization: a frozen module runs in inference mode
            kwargs["training"] = bool(training) and self.trainable and not self.inference_mode
        outputs = self._module(inputs, **kwargs)
        if self.trainable:
            for loss in self._regularization_losses:
                self.add_loss(loss())
        if self.output_key is not None:
            if not isinstance(outputs, dict) or self.output_key not in outputs:
                keys = sorted(outputs) if isinstance(outputs, dict) else "none (not a dict)"
                raise ValueError(f"output_key must be one of the module's outputs {keys}, got {self.output_key!r}")
            outputs = outputs[self.output_key]
        return outputs

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "handle": self.handle, "arguments": self.arguments,
                "output_key": self.output_key, "inference_mode": self.inference_mode}


def hub_layer(handle: str | os.PathLike, trainable: bool = False, **kwargs: Any) -> HubLayer:
    """A Keras 3 layer for the TF2 SavedModel behind a TF-Hub/Kaggle URL, a Kaggle handle or a local path.

    Frozen (default) it adds no trainable weights; ``trainable=True`` fine-tunes its variables when the model is
    fit. See :class:`HubLayer` for the arguments and :func:`resolve` for the errors.
    """
    return HubLayer(handle, trainable=trainable, **kwargs)


class _ReusableSavedModel(tf.Module):
    """The object TF-Hub's reusable SavedModel format describes, built around a Keras model."""

    variables = None  # plain attributes (saved with the object), shadowing tf.Module's computed properties
    trainable_variables = None

    def __init__(self, model: keras.Model, input_spec: tf.TensorSpec) -> None:
        super().__init__(name=None)
        self.model = model
        self.variables = [v.value for v in model.variables]
        self.trainable_variables = [v.value for v in model.trainable_variables]
        self.regularization_losses = [tf.function(lambda: tf.add_n(model.losses), input_signature=[])] \
            if model.losses else []
        self.__call__ = tf.function(lambda inputs, training=False: model(inputs, training=training))
        for training in (False, True):  # trace both graphs: inference and training (batch norm, dropout) mode
            self.__call__.get_concrete_function(input_spec, training=training)


def export_reusable(model: keras.Model, path: str | os.PathLike) -> Path:
    """Save a built Keras 3 model as a TF2 reusable SavedModel (what TF-Hub serves) and return the folder.

    The saved object has ``__call__(inputs, training=False)`` traced for both values of ``training``,
    ``variables``, ``trainable_variables`` and ``regularization_losses`` (from the model's weight regularizers),
    so :func:`hub_layer` can load it frozen or fine-tune it.
    """
    if not isinstance(model, keras.Model) or not model.built or not model.inputs:
        raise ValueError(f"model must be a built Keras functional or Sequential model with an Input, got {model!r}")
    spec = tf.TensorSpec((None, *model.inputs[0].shape[1:]), model.inputs[0].dtype)
    path = Path(path)
    logger, level = tf.get_logger(), tf.get_logger().level
    logger.setLevel("ERROR")  # no "INFO: Assets written to ..." on stderr
    try:
        tf.saved_model.save(_ReusableSavedModel(model, spec), str(path))
    finally:
        logger.setLevel(level)
    return path


# --- A stand-in for the real Inception V3 feature vector (random weights), served from a TF-Hub cache -----------------

#: File written into a stand-in's SavedModel folder; its presence marks the folder as a stand-in (see :func:`standin_notice`).
STANDIN_MARKER = "COURSE_STANDIN.txt"

# TF-Slim's Inception V3 up to Mixed_7c, as in tensorflow/models research/slim/nets/inception_v3.py (the checkpoint
# inception_v3_2016_08_28 that TF-Hub exported uses these names). A step is ("conv", scope, filters, (kh, kw),
# stride, padding), ("avg" | "max", stride, padding) for a 3x3 pool, or ("split", conv, conv): two convolutions of
# the same input, concatenated. A block is a list of branches (each a list of steps), concatenated.


def _conv(scope: str, filters: int, kernel: tuple[int, int], stride: int = 1, padding: str = "same") -> tuple:
    return ("conv", scope, filters, kernel, stride, padding)


def _inception_a(pool_filters: int, branch_1: tuple[str, str]) -> list[list[tuple]]:
    return [[_conv("Conv2d_0a_1x1", 64, (1, 1))],
            [_conv(branch_1[0], 48, (1, 1)), _conv(branch_1[1], 64, (5, 5))],
            [_conv("Conv2d_0a_1x1", 64, (1, 1)), _conv("Conv2d_0b_3x3", 96, (3, 3)),
             _conv("Conv2d_0c_3x3", 96, (3, 3))],
            [("avg", 1, "same"), _conv("Conv2d_0b_1x1", pool_filters, (1, 1))]]


def _inception_c(width: int) -> list[list[tuple]]:
    return [[_conv("Conv2d_0a_1x1", 192, (1, 1))],
            [_conv("Conv2d_0a_1x1", width, (1, 1)), _conv("Conv2d_0b_1x7", width, (1, 7)),
             _conv("Conv2d_0c_7x1", 192, (7, 1))],
            [_conv("Conv2d_0a_1x1", width, (1, 1)), _conv("Conv2d_0b_7x1", width, (7, 1)),
             _conv("Conv2d_0c_1x7", width, (1, 7)), _conv("Conv2d_0d_7x1", width, (7, 1)),
             _conv("Conv2d_0e_1x7", 192, (1, 7))],
            [("avg", 1, "same"), _conv("Conv2d_0b_1x1", 192, (1, 1))]]


def _inception_e(split_1: str) -> list[list[tuple]]:
    return [[_conv("Conv2d_0a_1x1", 320, (1, 1))],
            [_conv("Conv2d_0a_1x1", 384, (1, 1)),
             ("split", _conv("Conv2d_0b_1x3", 384, (1, 3)), _conv(split_1, 384, (3, 1)))],
            [_conv("Conv2d_0a_1x1", 448, (1, 1)), _conv("Conv2d_0b_3x3", 384, (3, 3)),
             ("split", _conv("Conv2d_0c_1x3", 384, (1, 3)), _conv("Conv2d_0d_3x1", 384, (3, 1)))],
            [("avg", 1, "same"), _conv("Conv2d_0b_1x1", 192, (1, 1))]]


#: The stem (a block of one branch, no block scope) and the 11 mixed blocks of TF-Slim's Inception V3, in order.
INCEPTION_V3_BLOCKS: list[tuple[str, list[list[tuple]]]] = [
    ("", [[_conv("Conv2d_1a_3x3", 32, (3, 3), 2, "valid"), _conv("Conv2d_2a_3x3", 32, (3, 3), padding="valid"),
           _conv("Conv2d_2b_3x3", 64, (3, 3)), ("max", 2, "valid"),
           _conv("Conv2d_3b_1x1", 80, (1, 1), padding="valid"), _conv("Conv2d_4a_3x3", 192, (3, 3), padding="valid"),
           ("max", 2, "valid")]]),
    ("Mixed_5b", _inception_a(32, ("Conv2d_0a_1x1", "Conv2d_0b_5x5"))),
    ("Mixed_5c", _inception_a(64, ("Conv2d_0b_1x1", "Conv_1_0c_5x5"))),  # sic: TF-Slim's names in this block
    ("Mixed_5d", _inception_a(64, ("Conv2d_0a_1x1", "Conv2d_0b_5x5"))),
    ("Mixed_6a", [[_conv("Conv2d_1a_1x1", 384, (3, 3), 2, "valid")],  # sic: a 3x3 kernel named 1x1
                  [_conv("Conv2d_0a_1x1", 64, (1, 1)), _conv("Conv2d_0b_3x3", 96, (3, 3)),
                   _conv("Conv2d_1a_1x1", 96, (3, 3), 2, "valid")],
                  [("max", 2, "valid")]]),
    *[(f"Mixed_6{b}", _inception_c(width)) for b, width in zip("bcde", (128, 160, 160, 192))],
    ("Mixed_7a", [[_conv("Conv2d_0a_1x1", 192, (1, 1)), _conv("Conv2d_1a_3x3", 320, (3, 3), 2, "valid")],
                  [_conv("Conv2d_0a_1x1", 192, (1, 1)), _conv("Conv2d_0b_1x7", 192, (1, 7)),
                   _conv("Conv2d_0c_7x1", 192, (7, 1)), _conv("Conv2d_1a_3x3", 192, (3, 3), 2, "valid")],
                  [("max", 2, "valid")]]),
    ("Mixed_7b", _inception_e("Conv2d_0b_3x1")),
    ("Mixed_7c", _inception_e("Conv2d_0c_3x1")),
]


def _step_convs(step: tuple) -> list[tuple]:
    """The convolutions of one step of :data:`INCEPTION_V3_BLOCKS` (none for a pool, two for a split)."""
    return list(step[1:]) if step[0] == "split" else [step] if step[0] == "conv" else []


def inception_v3_variable_names() -> list[str]:
    """The TF-Slim variable names of Inception V3's feature extractor, in order: for every convolution
    ``InceptionV3/<block>/<branch>/<conv>/weights:0`` and its batch norm's ``BatchNorm/beta``, ``moving_mean``,
    ``moving_variance`` (TF-Slim's Inception uses no batch-norm scale and no convolution bias)."""
    names = []
    for block, branches in INCEPTION_V3_BLOCKS:
        for b, branch in enumerate(branches):
            scope = "/".join(p for p in ("InceptionV3", block, f"Branch_{b}" if block else "") if p)
            for _, conv, *_ in (c for step in branch for c in _step_convs(step)):
                names += [f"{scope}/{conv}/{v}:0" for v in
                          ("weights", "BatchNorm/beta", "BatchNorm/moving_mean", "BatchNorm/moving_variance")]
    return names


class _SlimConv(keras.layers.Layer):
    """``slim.conv2d`` as TF-Slim's Inception V3 uses it: convolution without bias (its kernel named ``weights``),
    batch norm without scale (``BatchNorm``: epsilon 0.001, momentum 0.99 as TF-Hub's fine-tunable version), ReLU."""

    def __init__(self, filters: int, kernel: tuple[int, int], strides: int, padding: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.filters, self.kernel_size, self.strides, self.padding = filters, kernel, strides, padding
        self.batch_norm = keras.layers.BatchNormalization(momentum=0.99, epsilon=1e-3, scale=False, name="BatchNorm")

    def build(self, input_shape: tuple) -> None:
        self.kernel = self.add_weight(name="weights", shape=(*self.kernel_size, input_shape[-1], self.filters),
                                      initializer="he_normal")
        self.batch_norm.build((*input_shape[:-1], self.filters))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return _pooled_shape(input_shape, self.kernel_size, self.strides, self.padding)[:-1] + (self.filters,)

    def call(self, x: Any, training: bool | None = None) -> Any:
        x = keras.ops.conv(x, self.kernel, strides=self.strides, padding=self.padding)
        return keras.ops.relu(self.batch_norm(x, training=training))


def _pooled_shape(shape: tuple, kernel: tuple[int, int], stride: int, padding: str) -> tuple:
    """The shape of a 2-D window operation's output (channels unchanged); None for unknown sizes."""
    return (shape[0], *(None if n is None else output_size(n, k, stride, padding) for n, k in zip(shape[1:3], kernel)),
            shape[3])


class _SlimInceptionV3(keras.layers.Layer):
    """TF-Slim's Inception V3 feature extractor (to Mixed_7c) as one Keras layer named ``InceptionV3``. Its
    convolutions are built explicitly inside the name scopes of their block and branch, so their variables get
    TF-Slim's names (a lazy build during the first symbolic call would lose the scopes: it runs in a scratch graph)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(name="InceptionV3", **kwargs)
        self.convs = {}  # "block:branch:scope" -> _SlimConv (string keys: the dict is saved with the model)
        for block, branches in INCEPTION_V3_BLOCKS:
            for b, branch in enumerate(branches):
                for _, scope, filters, kernel, stride, padding in (c for step in branch for c in _step_convs(step)):
                    self.convs[f"{block}:{b}:{scope}"] = _SlimConv(filters, kernel, stride, padding, name=scope)

    def _walk(self, x: Any, conv: Any, pool: Any, concat: Any) -> Any:
        """One pass over :data:`INCEPTION_V3_BLOCKS`; ``conv(layer, x)``, ``pool(kind, stride, padding, x)`` and
        ``concat(list)`` act on tensors (``call``) or on shapes (``build``)."""
        for block, branches in INCEPTION_V3_BLOCKS:
            outputs = []
            with keras.name_scope(block) if block else contextlib.nullcontext():
                for b, branch in enumerate(branches):
                    with keras.name_scope(f"Branch_{b}") if block else contextlib.nullcontext():
                        y = x
                        for step in branch:
                            if step[0] == "conv":
                                y = conv(self.convs[f"{block}:{b}:{step[1]}"], y)
                            elif step[0] == "split":
                                y = concat([conv(self.convs[f"{block}:{b}:{c[1]}"], y) for c in step[1:]])
                            else:
                                y = pool(*step, y)
                    outputs.append(y)
            x = concat(outputs) if len(outputs) > 1 else outputs[0]
        return x

    def build(self, input_shape: tuple) -> None:
        def conv(layer: _SlimConv, shape: tuple) -> tuple:
            layer.build(shape)
            return layer.compute_output_shape(shape)

        self._walk(tuple(input_shape), conv, lambda kind, stride, padding, shape: _pooled_shape(
            shape, (3, 3), stride, padding), lambda shapes: (*shapes[0][:-1], sum(s[-1] for s in shapes)))

    def call(self, x: Any, training: bool | None = None) -> Any:
        pools = {"avg": keras.ops.average_pool, "max": keras.ops.max_pool}
        return self._walk(
            x * 2.0 - 1.0,  # TF-Hub image models take [0, 1]; TF-Slim's Inception expects [-1, 1]
            lambda layer, y: layer(y, training=training),
            lambda kind, stride, padding, y: pools[kind](y, 3, strides=stride, padding=padding),
            lambda ys: keras.ops.concatenate(ys, axis=-1))


def inception_v3_standin(size: int = 299) -> keras.Model:
    """TF-Slim's Inception V3 feature extractor with **random** weights: ``(batch, size, size, 3)`` images in
    [0, 1] -> ``(batch, 2048)`` (global average pooling), its variables named as in the real TF-Hub model."""
    inputs = keras.Input((size, size, 3), name="images")
    features = keras.layers.GlobalAveragePooling2D(name="feature_vector")(_SlimInceptionV3()(inputs))
    return keras.Model(inputs, features, name="inception_v3_standin")


def tfhub_cache_folder(handle: str, cache_dir: str | os.PathLike | None = None) -> Path:
    """The folder in which tensorflow_hub caches the model of an http(s) handle: ``<cache>/<sha1 of the handle>``
    (``tensorflow_hub.compressed_module_resolver``), where ``<cache>`` is ``cache_dir``, else ``TFHUB_CACHE_DIR``.
    ``hub.resolve(handle)`` returns that folder without any download when it exists and is not empty."""
    if not isinstance(handle, str) or not handle.startswith(("http://", "https://")):
        raise ValueError(f"handle must be an http(s) URL such as {INCEPTION_V3!r}, got {handle!r}")
    cache = cache_dir or os.environ.get("TFHUB_CACHE_DIR")
    if not cache:
        raise ValueError("cache_dir must be given when the TFHUB_CACHE_DIR environment variable is not set")
    return Path(cache) / hashlib.sha1(handle.encode("utf8")).hexdigest()


def install_inception_v3_standin(cache_dir: str | os.PathLike | None = None) -> Path:
    """Export :func:`inception_v3_standin` (random weights) into the TF-Hub cache folder of :data:`INCEPTION_V3`
    and return that folder; with ``TFHUB_CACHE_DIR`` pointing at ``cache_dir``, ``hub_layer(INCEPTION_V3)`` then
    loads it offline. The folder holds a :data:`STANDIN_MARKER` file, and loading it warns (:func:`standin_notice`).
    An existing stand-in is reused; a real model already in the cache is never overwritten."""
    folder = tfhub_cache_folder(INCEPTION_V3, cache_dir)
    if (folder / "saved_model.pb").is_file():
        if not (folder / STANDIN_MARKER).is_file():
            raise ValueError(f"cache_dir already holds the real {INCEPTION_V3} in {folder}; it is not replaced")
        return folder
    export_reusable(inception_v3_standin(), folder)
    notice = (f"STAND-IN for {INCEPTION_V3} with RANDOM weights: TF-Slim's Inception V3 architecture under the real "
              "model's variable names, exported by utils.hub.install_inception_v3_standin for offline tests. "
              "Its features and any accuracy computed from them mean nothing.")
    (folder / STANDIN_MARKER).write_text(notice + "\n", encoding="utf-8")
    Path(f"{folder}.descriptor.txt").write_text(f"Module: {INCEPTION_V3}\n{notice}\n", encoding="utf-8")
    return folder


def standin_notice(path: str | os.PathLike) -> str:
    """The notice of a stand-in model folder (see :func:`install_inception_v3_standin`); ``''`` for any other."""
    marker = Path(path) / STANDIN_MARKER
    return marker.read_text(encoding="utf-8").strip() if marker.is_file() else ""
