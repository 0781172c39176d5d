"""Helper package of the CNN course: every notebook imports what it needs from here.

Modules: ``runtime`` (mode, seeds), ``conv`` (convolution arithmetic), ``filters`` (classic kernels), ``data``
(datasets and photos), ``plots`` (figures), ``checks`` (exercise checkers).
"""
