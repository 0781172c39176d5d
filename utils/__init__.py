"""Helper package of the CNN course: every notebook imports what it needs from here.

Modules: ``runtime`` (mode, seeds), ``conv`` (convolution arithmetic), ``filters`` (classic kernels), ``data``
(datasets and photos), ``plots`` (figures), ``checks`` (exercise checkers), ``models`` (the course's reference
networks), ``explorer`` (interactive kernel widget), ``receptive_field`` (analytic and empirical receptive fields),
``dropout`` and ``batch_norm`` (NumPy reference layers), ``resnet`` (residual and Inception blocks), ``hub`` (TF-Hub
models as Keras 3 layers), ``distribute`` (tf.distribute helpers, stale-gradient simulation).
``interpret`` (what a CNN sees: saliency, SmoothGrad, Grad-CAM, occlusion, the randomisation sanity check).
"""
