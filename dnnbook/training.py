"""Re-run one compiled model from fresh initial weights, without retracing.

Keras traces a model's training step into a graph on the first ``fit``. For a
deep stack of small layers that trace costs more than the training itself
(about 9 s for a 50-layer dense network on 2 CPU cores, against about 5 s for
3 epochs on 10,000 images). A sweep over seeds can pay it once:

    model = build(); model.compile(...)
    for seed in seeds:
        restart(model, build, seed)
        model.fit(...)

``restart`` gives the model the weights ``build()`` creates under ``seed`` and
puts its optimizer back in its initial state, so each run starts exactly as a
freshly built and compiled model would (a test checks the equality).
"""

from __future__ import annotations

import keras


def restart(model, build, seed: int) -> None:
    """Reset ``model`` to the weights of ``build()`` seeded with ``seed``.

    ``build`` is the function that made ``model`` (same architecture, so the
    same list of weights); ``model`` must be compiled. Its optimizer's step
    counter and slots (momentum, second moments) return to their initial
    values. Its learning rate keeps its current value (a schedule stays a
    schedule): set it again if a callback changed it. The numbers a restarted
    run computes can differ from a fresh model's by float rounding where
    Keras reuses a graph traced for other batch shapes.
    """
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        raise ValueError("restart() needs a compiled model: call compile()")
    keras.utils.set_random_seed(seed)
    fresh = build()
    old, new = model.get_weights(), fresh.get_weights()
    if [w.shape for w in old] != [w.shape for w in new]:
        raise ValueError(
            "restart(): build() makes a different architecture from the "
            "model's; pass the function that built it"
        )
    model.set_weights(new)
    if optimizer.built:  # back to the state of a new optimizer
        initial = keras.optimizers.deserialize(
            keras.optimizers.serialize(optimizer)
        )
        initial.build(model.trainable_variables)
        for variable, value in zip(optimizer.variables, initial.variables):
            variable.assign(value)
