"""The real TF-Hub Inception V3's variable names, the fine-tuning pattern notebook 11 uses on them, and the offline
stand-in for that model (random weights) which lets section 9 of notebook 11 run in tests.

The real names. https://tfhub.dev/google/imagenet/inception_v3/feature_vector/5 documents that the model "uses the
TF-Slim implementation of inception_v3" with the checkpoint inception_v3_2016_08_28 (tensorflow/tfhub.dev,
assets/docs/google/models/imagenet/inception_v3/feature_vector/5.md). TF-Slim names the variables by scope
(tensorflow/models, research/slim/nets/inception_v3.py): ``InceptionV3/<block>/<branch>/<conv>/weights`` plus
``.../BatchNorm/{beta,moving_mean,moving_variance}`` -- no batch-norm gamma, no bias; public code restoring that
checkpoint lists exactly these names (e.g. ``InceptionV3/Mixed_7c/Branch_3/Conv2d_0b_1x1/BatchNorm/beta``). TF-Hub's
TF2 SavedModels of TF-Slim networks keep the scopes as the variable names (public code reading the weights of
``tf2-preview/mobilenet_v2/feature_vector/4`` through hub.KerasLayer finds ``MobilenetV2/Conv/weights:0``), so in
the SavedModel they read ``InceptionV3/Mixed_7c/Branch_3/Conv2d_0b_1x1/weights:0``. The pattern is anchored at a
``/`` (not at ``InceptionV3/``) so that an extra leading scope would not break it.
"""

from __future__ import annotations

import ast
import builtins
import os
import re
import warnings

import keras
import numpy as np
import pytest

from notebook_io import SOLUTIONS, read
from utils import hub, runtime, smoke

# Trainable variables of the real model's last three blocks (TF-Slim's inception_v3.py and the public checkpoint
# listing cited above), with ':0' as a TF2 SavedModel names them.
_MIXED_7A = ["Branch_0/Conv2d_0a_1x1", "Branch_0/Conv2d_1a_3x3", "Branch_1/Conv2d_0a_1x1", "Branch_1/Conv2d_0b_1x7",
             "Branch_1/Conv2d_0c_7x1", "Branch_1/Conv2d_1a_3x3"]
_MIXED_7B = ["Branch_0/Conv2d_0a_1x1", "Branch_1/Conv2d_0a_1x1", "Branch_1/Conv2d_0b_1x3", "Branch_1/Conv2d_0b_3x1",
             "Branch_2/Conv2d_0a_1x1", "Branch_2/Conv2d_0b_3x3", "Branch_2/Conv2d_0c_1x3", "Branch_2/Conv2d_0d_3x1",
             "Branch_3/Conv2d_0b_1x1"]
_MIXED_7C = [c.replace("Branch_1/Conv2d_0b_3x1", "Branch_1/Conv2d_0c_3x1") for c in _MIXED_7B]
_EARLIER = ["Conv2d_1a_3x3", "Conv2d_4a_3x3", "Mixed_5b/Branch_1/Conv2d_0b_5x5", "Mixed_5c/Branch_1/Conv_1_0c_5x5",
            "Mixed_6a/Branch_0/Conv2d_1a_1x1", "Mixed_6e/Branch_2/Conv2d_0e_1x7", "Mixed_6e/Branch_3/Conv2d_0b_1x1"]


def _trainable(scopes: list[str]) -> list[str]:
    return [f"InceptionV3/{s}/{v}:0" for s in scopes for v in ("weights", "BatchNorm/beta")]


TOP_TWO_BLOCKS = _trainable([f"Mixed_7b/{c}" for c in _MIXED_7B] + [f"Mixed_7c/{c}" for c in _MIXED_7C])
OTHERS = _trainable([f"Mixed_7a/{c}" for c in _MIXED_7A] + _EARLIER)
NOTEBOOK_11 = SOLUTIONS / "11_transfer_learning_tfhub.ipynb"


def test_pattern_selects_the_top_two_blocks_of_the_real_model():
    pattern = re.compile(hub.INCEPTION_V3_TOP_BLOCKS)
    assert len(TOP_TWO_BLOCKS) == 36
    assert [n for n in TOP_TWO_BLOCKS + OTHERS if pattern.search(n)] == TOP_TWO_BLOCKS


def test_the_standin_spec_has_every_real_name():
    names = hub.inception_v3_variable_names()
    assert len(names) == len(set(names)) == 94 * 4  # Inception V3's 94 convolutions, each with its batch norm
    assert set(TOP_TWO_BLOCKS + OTHERS) <= set(names)
    assert not any(n.endswith(("gamma:0", "bias:0", "biases:0")) for n in names)


@pytest.fixture(scope="module")
def standin():
    return hub.inception_v3_standin()


def test_standin_is_inception_v3_under_the_real_names(standin):
    assert [v.value.name for v in standin.variables] == hub.inception_v3_variable_names()
    reference = keras.applications.InceptionV3(weights=None, include_top=False, pooling="avg")
    assert sorted(tuple(v.shape) for v in standin.variables) == sorted(tuple(v.shape) for v in reference.variables)
    assert standin.count_params() == reference.count_params()
    assert standin.input_shape == (None, 299, 299, 3) and standin.output_shape == (None, 2048)
    features = standin(np.random.default_rng(0).random((1, 299, 299, 3), dtype=np.float32))
    assert features.shape == (1, 2048) and bool(np.isfinite(features).all())


def small_saved_model(folder):
    inputs = keras.Input((8, 8, 3))
    outputs = keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(4, 3, name="conv")(inputs))
    return hub.export_reusable(keras.Model(inputs, outputs), folder)


def test_a_model_in_the_tfhub_cache_folder_resolves_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path))
    folder = hub.tfhub_cache_folder(hub.INCEPTION_V3)
    assert folder.parent == tmp_path and folder.name == "d30c685f31c2a953a48eeb6695c0f7a77298ea8b"
    small_saved_model(folder)
    assert hub.resolve(hub.INCEPTION_V3) == folder  # tensorflow_hub finds it: no download (the network is blocked)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a real model does not warn
        layer = hub.hub_layer(hub.INCEPTION_V3)
    assert layer.standin_notice == "" and hub.standin_notice(folder) == ""


def test_a_standin_says_so_when_it_is_loaded(tmp_path, monkeypatch):
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(tmp_path))
    folder = small_saved_model(hub.tfhub_cache_folder(hub.INCEPTION_V3))
    (folder / hub.STANDIN_MARKER).write_text("STAND-IN with RANDOM weights\n")
    with pytest.warns(UserWarning, match="RANDOM weights"):
        layer = hub.hub_layer(hub.INCEPTION_V3)
    assert layer.standin_notice == "STAND-IN with RANDOM weights" == hub.standin_notice(folder)
    assert hub.install_inception_v3_standin(tmp_path) == folder, "an installed stand-in is reused"


def test_install_never_replaces_a_real_model(tmp_path):
    small_saved_model(hub.tfhub_cache_folder(hub.INCEPTION_V3, tmp_path))
    with pytest.raises(ValueError, match="cache_dir already holds the real"):
        hub.install_inception_v3_standin(tmp_path)


def test_cache_folder_arguments(monkeypatch):
    monkeypatch.delenv("TFHUB_CACHE_DIR", raising=False)
    with pytest.raises(ValueError, match="cache_dir"):
        hub.tfhub_cache_folder(hub.INCEPTION_V3)
    with pytest.raises(ValueError, match="handle"):
        hub.tfhub_cache_folder("google/inception-v3/tensorFlow2/feature-vector/2", "/tmp")


# --- Section 9 of notebook 11, end to end, against the stand-in (slow: about 2 minutes on 2 CPU cores) -------------

def section_9() -> str:
    """The code cell of notebook 11 that uses the real Inception V3 (its online branch)."""
    cells = [c.source for c in read(NOTEBOOK_11).cells
             if c.cell_type == "code" and "hub_utils.INCEPTION_V3" in c.source and "fine_tune(" in c.source]
    assert len(cells) == 1, f"expected one cell of notebook 11 that loads INCEPTION_V3 and fine-tunes it, got {cells}"
    return cells[0]


def section_9_inputs() -> dict:
    """What section 9 reads from earlier cells, small: random 32x32 images of the four target classes; the
    from-scratch baseline of sections 5-6 (tested by the notebook's own run) stands at chance. The helpers it calls
    (the checks of what fine-tuning changed) come from the notebook itself: see earlier_definitions."""
    rng = np.random.default_rng(0)
    y_tgt, y_tgt_test = np.arange(48) % 4, np.arange(16) % 4
    x_tgt, x_tgt_test = (rng.integers(0, 256, (len(y), 32, 32, 3), dtype=np.uint8) for y in (y_tgt, y_tgt_test))

    def few_shot(n):
        return np.concatenate([np.flatnonzero(y_tgt == k)[:n] for k in range(4)])

    from utils import claims

    return {"INCEPTION_AVAILABLE": True, "np": np, "keras": keras, "layers": keras.layers, "runtime": runtime,
            "hub_utils": hub, "claims": claims, "x_tgt": x_tgt, "y_tgt": y_tgt, "x_tgt_test": x_tgt_test,
            "y_tgt_test": y_tgt_test, "few_shot": few_shot, "from_scratch": lambda n: 0.25}


def earlier_definitions(names: set[str]) -> list[str]:
    """The statements of notebook 11's cells before section 9 that define ``names`` at top level and need no data:
    ``def``/``class`` statements and assignments of constants (e.g. its helpers ``snapshot``, ``largest_changes``)."""
    found: dict[str, str] = {}
    for cell in read(NOTEBOOK_11).cells:
        if cell.cell_type != "code":
            continue
        if cell.source == section_9():
            break
        for stmt in ast.parse(cell.source).body:
            if isinstance(stmt, (ast.FunctionDef, ast.ClassDef)):
                targets = [stmt.name]
            elif isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant):
                targets = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
            else:
                continue
            found.update({name: ast.get_source_segment(cell.source, stmt) for name in targets if name in names})
    return list(found.values())


def run_section_9(namespace: dict) -> None:
    """Execute section 9's cell in ``namespace`` (plus the helpers it uses from earlier cells)."""
    source = section_9()
    tree = ast.parse(source)
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    needed = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - bound
    for definition in earlier_definitions(needed - set(namespace)):
        exec(definition, namespace)
    missing = sorted(needed - set(namespace) - set(dir(builtins)))
    assert not missing, f"section 9 now reads {missing} from earlier cells: add them to section_9_inputs()"
    exec(compile(source, str(NOTEBOOK_11), "exec"), namespace)


slow = pytest.mark.skipif(os.environ.get("COURSE_SLOW_TESTS") != "1",
                          reason="slow (about 2 min on 2 CPU cores); make test-full-smoke runs it")


@pytest.fixture(scope="module")
def served_standin(tmp_path_factory):
    cache = tmp_path_factory.mktemp("tfhub")
    hub.install_inception_v3_standin(cache)
    return cache


@pytest.fixture
def smoke_run(monkeypatch, served_standin):
    """The stand-in in TFHUB_CACHE_DIR, and a smoke run: a few batches per fit, claims not asserted (random weights
    promise nothing; the notebook's claims stay asserted only for the real model)."""
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(served_standin))
    monkeypatch.setenv(smoke.ENV, "1")
    from utils import claims, data, resnet

    for owner, name in [(keras.Model, "fit"), (keras.Model, "evaluate"), (resnet, "train_trace"),
                        (data, "_keras_download"), (claims, "_check")]:
        monkeypatch.setattr(owner, name, getattr(owner, name))
    smoke.install()
    return monkeypatch


def test_section_9_uses_the_tested_pattern():
    assert "fine_tune(hub_utils.INCEPTION_V3_TOP_BLOCKS" in section_9(), (
        "section 9 of notebook 11 must fine-tune with hub_utils.INCEPTION_V3_TOP_BLOCKS, the pattern tested here "
        "against the real model's variable names")


@slow
def test_section_9_runs_end_to_end_against_the_standin(smoke_run):
    namespace = section_9_inputs()
    with pytest.warns(UserWarning, match="RANDOM weights"):
        run_section_9(namespace)
    layers = [v for v in namespace.values() if isinstance(v, hub.HubLayer)]
    assert len(layers) == 1, "section 9 binds one hub layer"
    tuned = sorted(v.path.split("/", 1)[1] for v in layers[0].trainable_weights)
    assert len(tuned) == 36 and all("Mixed_7b" in n or "Mixed_7c" in n for n in tuned)


@slow
def test_section_9_fails_when_the_pattern_matches_no_variable(smoke_run):
    smoke_run.setattr(hub, "INCEPTION_V3_TOP_BLOCKS", r"(^|/)Mixed_9z/")  # no such block
    with pytest.warns(UserWarning, match="RANDOM weights"), pytest.raises(ValueError, match="pattern must match"):
        run_section_9(section_9_inputs())
