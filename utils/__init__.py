"""Helper package of the CNN course: every notebook imports what it needs from here.

Modules: ``runtime`` (mode, seeds, supported versions), ``claims`` (a notebook's promised results, asserted per
mode), ``conv`` (convolution arithmetic, transposed convolution), ``filters`` (classic kernels), ``data`` (datasets
and photos), ``plots`` (figures, in the course's figure style), ``checks`` (exercise checkers) and ``catalogue``
(every exercise's reference, cases, hint and named misconceptions), ``models`` (the course's reference networks),
``explorer`` (interactive kernel widget), ``receptive_field`` (analytic and empirical receptive fields),
``dropout`` and ``batch_norm`` (NumPy reference layers), ``resnet`` (residual and Inception blocks), ``hub`` (TF-Hub
models as Keras 3 layers, the Inception V3 stand-in), ``distribute`` (tf.distribute helpers, stale-gradient
simulation), ``interpret`` (what a CNN sees: saliency, SmoothGrad, Grad-CAM, occlusion, the randomisation sanity
check), ``smoke`` (smoke runs of full mode) and ``cost`` (multiply-adds and activations per image).
"""
