"""Self-checks that exercise notebooks call after each task.

A check prints one ``✓`` line when the learner's work is right. When it is
wrong it raises :class:`CheckFailed`, whose message is one sentence saying what
is wrong; Jupyter shows just that sentence, without a traceback. A check that
needs a variable from an unfinished TODO never runs: the cell says "not done
yet" instead (see :func:`dnnbook.todo`).
"""

from __future__ import annotations

import numpy as np


class CheckFailed(AssertionError):
    """A self-check found a mistake; the message says which, in one sentence."""

    def _render_traceback_(
        self,
    ):  # IPython: show the sentence, not a traceback
        return [f"✗ {self}"]


def _count(n: int, noun: str) -> str:
    """'1 unit', '2 units'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _ok(message: str) -> None:
    print(f"✓ {message}")


def _fail(message: str) -> None:
    raise CheckFailed(message)


def _dense_layers(model):
    import keras

    return [
        layer
        for layer in model.layers
        if isinstance(layer, keras.layers.Dense)
    ]


def _activation_name(layer) -> str:
    return getattr(
        layer.activation, "__name__", type(layer.activation).__name__
    )


def check_dense_stack(
    model,
    n_hidden: int,
    units: int,
    activation: str | None = None,
    initializer: str | None = None,
    output: bool = True,
) -> None:
    """The model has ``n_hidden`` hidden Dense layers of ``units`` units, then an output
    layer (``output=False``: no output layer, as in a tower whose outputs feed another model)."""
    dense = _dense_layers(model)
    if not dense:
        _fail("the model has no Dense layers at all")
    hidden = dense[:-1] if output else dense
    if len(hidden) != n_hidden or any(
        layer.units != units for layer in hidden
    ):
        sizes = sorted({layer.units for layer in hidden})
        _fail(
            f"expected {_count(n_hidden, 'hidden Dense layer')} of "
            f"{_count(units, 'unit')}, "
            f"found {len(hidden)} with sizes {sizes}"
        )
    if activation is not None:
        wrong = sorted(
            {
                _activation_name(layer)
                for layer in hidden
                if _activation_name(layer) != activation
            }
        )
        if wrong:
            _fail(
                f"expected activation {activation!r} in every hidden layer, found {wrong}"
            )
    if initializer is not None:
        found = sorted(
            {type(layer.kernel_initializer).__name__ for layer in hidden}
        )
        if found != [initializer]:
            _fail(
                f"expected kernel initializer {initializer} in every hidden layer, found {found}"
            )
    details = ", ".join(x for x in (activation, initializer) if x)
    _ok(
        f"{_count(n_hidden, 'hidden Dense layer')} of {_count(units, 'unit')}"
        + (f" ({details})" if details else "")
    )


def check_output_layer(model, units: int, activation: str) -> None:
    """The last Dense layer has ``units`` units and the given activation."""
    dense = _dense_layers(model)
    if not dense:
        _fail("the model has no Dense output layer")
    out = dense[-1]
    if out.units != units or _activation_name(out) != activation:
        _fail(
            f"expected an output layer of {_count(units, 'unit')} with "
            f"{activation!r}, found {_count(out.units, 'unit')} with "
            f"{_activation_name(out)!r}"
        )
    _ok(f"output layer: {_count(units, 'unit')}, {activation}")


def check_frozen(layers, frozen: bool = True) -> None:
    """Every layer in ``layers`` is frozen (``trainable=False``), or trainable if ``frozen=False``."""
    layers = list(layers)
    if not layers:
        _fail("no layers were given to check")
    wrong = [layer.name for layer in layers if layer.trainable == frozen]
    if wrong:
        state = "frozen" if frozen else "trainable"
        _fail(
            f"these layers should be {state} but are not: {', '.join(wrong)}"
        )
    state = "frozen" if frozen else "trainable"
    _ok(f"{_count(len(layers), 'layer')} {state}")


def check_in_range(name: str, value, low: float, high: float) -> None:
    """A metric (accuracy, loss, seconds...) lies in a sane range ``[low, high]``."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        _fail(f"{name} should be a number, got {type(value).__name__}")
    if not np.isfinite(number) or not low <= number <= high:
        _fail(
            f"{name} = {number:.4g} is outside the expected range [{low:g}, {high:g}]"
        )
    _ok(f"{name} = {number:.4g} (expected between {low:g} and {high:g})")


def check_shape(name: str, array, expected: tuple) -> None:
    """An array has the expected shape (``None`` matches any size)."""
    shape = tuple(np.shape(array))
    if len(shape) != len(expected) or any(
        e is not None and e != s for e, s in zip(expected, shape)
    ):
        _fail(f"{name} should have shape {expected}, found {shape}")
    _ok(f"{name} has shape {shape}")


def check_balanced_pairs(labels, tolerance: float = 0.05) -> None:
    """Binary pair labels (1 = same class, 0 = different) are about half ones."""
    labels = np.asarray(labels).ravel()
    if labels.size == 0:
        _fail("there are no labels to check")
    values = set(np.unique(labels).tolist())
    if not values <= {0, 1}:
        _fail(f"pair labels must be 0 or 1, found {sorted(values)}")
    share = labels.mean()
    if abs(share - 0.5) > tolerance:
        _fail(
            f"{share:.1%} of the pairs are labelled 'same', expected 50% ± {tolerance:.0%}"
        )
    _ok(f"{share:.1%} of {labels.size} pairs are 'same' (balanced)")


def check_pair_labels(images_a, images_b, labels, x, y) -> None:
    """Each pair label is 1 when the two images show the same class of ``(x, y)``, else 0.

    The class of every image is looked up from its pixels, so the check works on batches
    made by any pair generator.
    """
    x = np.asarray(x)
    class_of = {
        hash(image.tobytes()): label
        for image, label in zip(x, np.asarray(y).ravel())
    }
    images_a, images_b = (
        np.asarray(images_a, dtype=x.dtype),
        np.asarray(images_b, dtype=x.dtype),
    )
    labels = np.asarray(labels).ravel()
    if not len(images_a) == len(images_b) == len(labels):
        _fail(
            f"a batch should hold as many second images and labels as first images, found "
            f"{len(images_a)}, {len(images_b)} and {len(labels)}"
        )
    try:
        same = [
            class_of[hash(a.tobytes())] == class_of[hash(b.tobytes())]
            for a, b in zip(images_a, images_b)
        ]
    except KeyError:
        _fail(
            "some images in the batch are not in the dataset they should be drawn from"
        )
    wrong = int((np.array(same, dtype=int) != labels).sum())
    if wrong:
        _fail(
            f"{wrong} of {len(labels)} pair labels are wrong (the convention: 1 = same class, 0 = different)"
        )
    _ok(
        f"all {len(labels)} pair labels match the classes (1 = same, 0 = different)"
    )


def check_weights_unchanged(model, weights_before) -> None:
    """``model`` still has the weights saved in ``weights_before`` (e.g. a reused model was cloned)."""
    after = model.get_weights()
    if len(after) != len(weights_before):
        _fail(
            f"{model.name} has {len(after)} weight arrays, {len(weights_before)} were saved"
        )
    changed = sum(
        not np.array_equal(a, b) for a, b in zip(after, weights_before)
    )
    if changed:
        _fail(
            f"{changed} of {len(after)} weight arrays of {model.name} changed: train a clone "
            f"(keras.models.clone_model + set_weights), not the original"
        )
    _ok(f"{model.name} is unchanged ({len(after)} weight arrays)")


# --- Claims: sentences of the prose, checked against the run that backs them ---


class ClaimFailed(CheckFailed):
    """A FULL run contradicts a sentence of the text; the message quotes both."""

    def _render_traceback_(self):
        return [f"✗ claim failed: {self}"]


def _shown(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    try:
        return f"{float(value):.4g}"
    except (TypeError, ValueError):
        return str(value)


def claim(statement: str, holds, **numbers) -> None:
    """Check one run-dependent sentence of the text against this run.

    ``holds`` is the condition that makes ``statement`` true; ``numbers`` are the
    values it was judged on, printed with it. A FULL run that contradicts the
    statement raises :class:`ClaimFailed`, so ``make run`` stops and never
    commits a page whose text the outputs contradict. A FAST run (tiny subsets,
    too small to judge) still evaluates the claim but only reports the result.
    Returns None, so that a cell ending with a claim displays nothing more.
    """
    from dnnbook.modes import fast_mode_default

    held = bool(holds)
    values = ", ".join(f"{k} = {_shown(v)}" for k, v in numbers.items())
    detail = f" ({values})" if values else ""
    if held:
        print(f"✓ {statement}{detail}")
    elif fast_mode_default():
        print(f"· not judged in a FAST run: {statement}{detail}")
    else:
        raise ClaimFailed(
            f"the text says “{statement}”, but this run gives "
            f"{values or 'the opposite'}"
        )


# --- Chapter exercises: predictions and small code tasks ---


def check_prediction(
    guess,
    measured: float,
    tolerance: float,
    why: str,
    unit: str = "",
) -> None:
    """Compare a learner's prediction with the measured value.

    A wrong guess is no error: the check prints how far off it was and
    ``why``, one or two sentences on what sets the value. ``guess`` left at
    ``None`` prints what to do instead. ``tolerance`` is absolute, in the
    value's own units. Like every check, it prints and returns None.
    """
    measured = float(measured)
    if guess is None:
        print(
            "✎ Write your prediction first (replace None), then run this "
            "cell again."
        )
        return
    try:
        guess = float(guess)
    except (TypeError, ValueError):
        print(f"✎ Your prediction should be a number, got {guess!r}.")
        return
    off = guess - measured
    if abs(off) <= tolerance:
        print(
            f"✓ Your prediction {guess:g}{unit} is within {tolerance:g}{unit}"
            f" of the measured {measured:.4g}{unit}. {why}"
        )
        return
    side = "high" if off > 0 else "low"
    print(
        f"✗ Your prediction {guess:g}{unit} is {abs(off):.3g}{unit} too "
        f"{side}: measured {measured:.4g}{unit}. {why}"
    )


def check_choice(guess, answer: str, options, why: str) -> None:
    """Compare a learner's choice among named ``options`` with the answer."""
    options = list(options)
    if guess is None:
        print(
            f"✎ Pick one of {options} (replace None), then run this cell "
            f"again."
        )
        return
    if guess not in options:
        print(f"✎ {guess!r} is not one of the options {options}.")
        return
    if guess == answer:
        print(f"✓ {answer!r} is right. {why}")
        return
    print(f"✗ Not {guess!r}: the answer is {answer!r}. {why}")


def check_function(
    function, cases, expected, name: str | None = None, rtol=1e-5
) -> None:
    """A learner's function returns ``expected[i]`` for each ``cases[i]``.

    ``cases`` holds argument tuples. A function still returning ``...`` or
    ``None`` (the unfinished stub) prints "not done yet" instead of failing;
    a wrong value raises :class:`CheckFailed` naming the first wrong case.
    """
    name = name or getattr(function, "__name__", "your function")
    results = [function(*args) for args in cases]
    if any(r is None or r is Ellipsis for r in results):
        print(f"✎ {name} is not written yet: fill it in and run again.")
        return
    for args, got, want in zip(cases, results, expected):
        if not np.allclose(got, want, rtol=rtol, atol=1e-8):
            shown_args = ", ".join(_shown(a) for a in args)
            _fail(
                f"{name}({shown_args}) returned {np.round(got, 6)}, "
                f"expected {np.round(want, 6)}"
            )
    _ok(f"{name} is right on all {_count(len(results), 'case')}")
