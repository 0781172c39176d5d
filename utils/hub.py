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
"""

from __future__ import annotations

import inspect
import os
import re
from pathlib import Path
from typing import Any

import keras
import tensorflow as tf

from . import runtime

#: The Inception V3 feature vector used by notebook 11 (ImageNet weights, 299x299 inputs in [0, 1], 2048 features).
#: tfhub.dev now redirects to Kaggle Models, where the same model is ``google/inception-v3/tensorFlow2/feature-vector``.
INCEPTION_V3 = "https://tfhub.dev/google/imagenet/inception_v3/feature_vector/5"

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
