"""Self-checks that exercise notebooks call after each task.

A check prints one ``✓`` line when the learner's work is right. When it is
wrong it raises :class:`CheckFailed`, whose message is one sentence saying what
is wrong; Jupyter shows just that sentence, without a traceback. A check that
needs a variable from an unfinished TODO never runs: the cell says "not done
yet" instead (see :func:`dnnbook.todo`).
"""

from __future__ import annotations

import json
import os

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
    _require_frozen(layers, frozen)
    state = "frozen" if frozen else "trainable"
    _ok(f"{_count(len(layers), 'layer')} {state}")


def _require_frozen(layers, frozen: bool = True) -> None:
    """Fail, naming them, when some ``layers`` are not frozen (or trainable)."""
    if not layers:
        _fail("no layers were given to check")
    wrong = [layer.name for layer in layers if layer.trainable == frozen]
    if wrong:
        state = "frozen" if frozen else "trainable"
        _fail(
            f"these layers should be {state} but are not: {', '.join(wrong)}"
        )


def check_in_range(
    name: str, value, low: float, high: float, hint: str = ""
) -> None:
    """A metric (accuracy, loss, seconds...) lies in a sane range ``[low, high]``;
    ``hint``, said when it does not, points to the usual cause."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        _fail(f"{name} should be a number, got {type(value).__name__}")
    if not np.isfinite(number) or not low <= number <= high:
        _fail(
            f"{name} = {number:.4g} is outside the expected range [{low:g}, {high:g}]"
            + (f": {hint}" if hint else "")
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


def _loss_name(loss) -> str:
    """'sparse_categorical_crossentropy' for a loss given by name, object or config."""
    if isinstance(loss, dict):  # a serialized loss object
        loss = loss.get("config", {}).get("name") or loss.get(
            "class_name", ""
        )
    name = getattr(loss, "name", None) or getattr(loss, "__name__", None)
    name = str(name or loss)
    # "BinaryCrossentropy" and "binary_crossentropy" name the same loss
    return name.replace("_", "").lower()


def _metric_names(metrics) -> list[str]:
    if metrics is None:
        return []
    if isinstance(metrics, dict):  # one list per output
        metrics = [m for ms in metrics.values() for m in np.atleast_1d(ms)]
    if isinstance(metrics, (str, dict)) or not hasattr(metrics, "__iter__"):
        metrics = [metrics]
    names = []
    for metric in metrics:
        if isinstance(metric, dict):
            metric = metric.get("config", {}).get("name") or metric.get(
                "class_name", ""
            )
        names.append(str(getattr(metric, "name", metric)).lower())
    return names


def check_compiled(
    model, loss: str, metric: str = "accuracy", name: str | None = None
) -> None:
    """``model`` is compiled with ``loss`` and reports ``metric`` (the cells
    below read ``evaluate(...)[1]`` and the history's ``val_accuracy``);
    ``name``: the variable's name, for the messages."""
    name = name or getattr(model, "name", "the model")
    if not getattr(model, "compiled", False):
        # the TODO that compiles it is not done yet: say so, and let Run
        # All go on to the cells that wait for it
        print(
            f"✎ {name} is not compiled yet: compile it in the TODO above, "
            "then run this cell again."
        )
        return
    config = model.get_compile_config() or {}
    found = config.get("loss", getattr(model, "loss", None))
    if _loss_name(found) != _loss_name(loss):
        if isinstance(found, dict):
            found = found.get("config", {}).get("name", found)
        _fail(
            f"{name} is compiled with the loss {found!r}; this task needs "
            f"loss={loss!r}"
        )
    names = _metric_names(config.get("metrics"))
    if not any(
        n == metric or (metric == "accuracy" and ("acc" in n))
        for n in names
    ):
        _fail(
            f"{name} was compiled without metrics=[{metric!r}] (found "
            f"{names or 'no metrics'}): the cells below read its {metric} "
            f"from evaluate(...) and from the history, so compile it with "
            f"metrics=[{metric!r}]"
        )
    _ok(f"{name} compiled with loss={loss!r} and metrics=[{metric!r}]")


def check_bn_before_activation(model, n_hidden: int, input_bn=False):
    """Each of the ``n_hidden`` hidden Dense layers is linear and has no bias,
    and is followed by ``BatchNormalization``, then an ``Activation`` layer
    (BN *before* the activation); ``input_bn``: a BN layer also comes first,
    right after the input (or ``Flatten``)."""
    import keras

    layers = list(model.layers)
    dense = [
        i
        for i, layer in enumerate(layers[:-1])
        if isinstance(layer, keras.layers.Dense)
    ]
    if len(dense) != n_hidden:
        _fail(
            f"expected {_count(n_hidden, 'hidden Dense layer')}, found "
            f"{len(dense)}"
        )
    for number, i in enumerate(dense, 1):
        layer = layers[i]
        after = layers[i + 1 : i + 3]
        if _activation_name(layer) != "linear":
            _fail(
                f"hidden Dense layer {number} has the activation "
                f"{_activation_name(layer)!r}: with batch normalization the "
                "Dense layer has no activation; BatchNormalization comes "
                "next, then the activation as a layer of its own"
            )
        if layer.use_bias:
            _fail(
                f"hidden Dense layer {number} has a bias: "
                "BatchNormalization's β replaces it (use_bias=False)"
            )
        if not (
            len(after) == 2
            and isinstance(after[0], keras.layers.BatchNormalization)
            and isinstance(after[1], keras.layers.Activation)
        ):
            shown = [type(a).__name__ for a in after]
            _fail(
                f"hidden Dense layer {number} should be followed by "
                f"BatchNormalization, then an Activation layer; found "
                f"{shown}"
            )
    if input_bn:
        first = next(
            (
                layer
                for layer in layers
                if not isinstance(layer, keras.layers.Flatten)
            ),
            None,
        )
        if not isinstance(first, keras.layers.BatchNormalization):
            _fail(
                "the inputs should go through a BatchNormalization layer "
                "first (right after Flatten)"
            )
    extra = " and one on the inputs" if input_bn else ""
    _ok(
        f"{_count(n_hidden, 'hidden layer')}: Dense (no bias, no "
        f"activation) -> BatchNormalization -> Activation{extra}"
    )


def check_rate_search(search_rate, namespace: dict) -> None:
    """``search_rate(build)`` steps outward along the ladder until its best
    rate has a worse rate on each side, and stops there.

    It is run against a stand-in ``probe`` (no training): a made-up accuracy
    that peaks at a chosen rate of a ladder, above and below the start rates
    and at the ladder's end. ``namespace`` holds the notebook's ``probe``,
    ``RATE_LADDER`` and ``SEARCH_START``, swapped for the check and put back.
    """
    ladder = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1]
    start = [3e-4, 1e-3, 3e-3]
    swapped = ("probe", "RATE_LADDER", "SEARCH_START")
    saved = {k: namespace[k] for k in swapped if k in namespace}
    cases = [
        (3e-2, [1e-2, 3e-2, 1e-1]),  # best above the start: step up twice
        (3e-5, [1e-5, 3e-5, 1e-4]),  # best below it: step down
        (1e-1, [3e-2, 1e-1]),  # best at the ladder's top: stop there
        (1e-3, [3e-4, 1e-3, 3e-3]),  # bracketed at once: no extra probe
    ]
    try:
        namespace.update(RATE_LADDER=ladder, SEARCH_START=start)
        for target, must_try in cases:
            calls = []

            def stand_in(model, peak, *args, _target=target, **kwargs):
                calls.append(peak)
                return 0.5 - 0.1 * abs(np.log10(peak / _target))

            namespace["probe"] = stand_in
            found = search_rate(lambda: None)
            if not isinstance(found, dict) or not found:
                _fail(
                    "search_rate should return a dict rate -> validation "
                    f"accuracy, got {type(found).__name__}"
                )
            tried = sorted(found)
            best = max(found, key=found.get)
            if not np.isclose(best, target) or any(
                not any(np.isclose(r, t) for t in tried) for r in must_try
            ):
                _fail(
                    f"with the best accuracy at {target:g}, search_rate "
                    f"tried {[float(f'{r:g}') for r in tried]}: it should "
                    "step outward along RATE_LADDER, one rate at a time, "
                    "until the best rate has a worse rate on each side (or "
                    "is the ladder's end)"
                )
            if len(calls) > len(start) + 3:
                _fail(
                    f"search_rate probed {len(calls)} rates where at most "
                    f"{len(start) + 3} were needed: stop as soon as the "
                    "best rate is bracketed"
                )
    finally:  # as it was: a name the notebook did not define stays undefined
        for key in swapped:
            namespace.pop(key, None)
        namespace.update(saved)
    _ok(
        "search_rate steps outward until its best rate is bracketed, and "
        f"stops there ({len(cases)} cases, with a stand-in probe)"
    )


class _StandInVariable:
    """A number that reads like a Keras variable: ``int()``, ``float()``,
    ``.numpy()``, and ``.assign()`` to set it."""

    def __init__(self, value):
        self.value = value

    def assign(self, value):
        self.value = float(value)

    def numpy(self):
        return np.asarray(self.value)

    def __float__(self):
        return float(self.value)

    def __int__(self):
        return int(self.value)

    __index__ = __int__


class _StandInOptimizer:
    def __init__(self):
        self.iterations = _StandInVariable(0)
        self.learning_rate = _StandInVariable(0.0)


class _StandInModel:
    def __init__(self):
        self.optimizer = _StandInOptimizer()


def check_one_cycle(make_callback, peak: float, steps: int) -> None:
    """A 1cycle callback, ``make_callback(peak, steps)``, run over ``steps``
    steps on a stand-in model (no training): its rate rises to ``peak``, then
    falls well below where it started; it keeps every rate in ``rates``."""
    callback = make_callback(peak, steps)
    model = _StandInModel()
    callback.set_model(model)
    set_rates = []
    callback.on_train_begin()
    callback.on_epoch_begin(0)
    for step in range(steps):
        model.optimizer.iterations.value = step
        callback.on_train_batch_begin(step % 100)
        set_rates.append(float(model.optimizer.learning_rate))
    kept = list(getattr(callback, "rates", []))
    if len(kept) != steps:
        _fail(
            f"the callback's rates list holds {len(kept)} rates after "
            f"{steps} steps: append the rate it sets at every step"
        )
    cycle = np.array(set_rates)
    top = int(np.argmax(cycle))
    if top == steps - 1:
        _fail(
            "the rate is highest at the last step: it never decays. 1cycle "
            "rises to its peak, then falls"
        )
    if top == 0:
        _fail(
            "the rate is highest at the first step: 1cycle first rises "
            "to its peak, then falls"
        )
    if not np.all(np.diff(cycle[: top + 1]) >= -1e-12) or not np.all(
        np.diff(cycle[top:]) <= 1e-12
    ):
        _fail(
            "the rate should only rise up to its peak, and only fall after it"
        )
    if not np.isclose(cycle[top], peak, rtol=0.01):
        _fail(
            f"the rate peaks at {cycle[top]:.3g}, expected peak = {peak:g}"
        )
    if not cycle[-1] < cycle[0] / 2:
        _fail(
            f"the rate ends at {cycle[-1]:.3g}, not below half of where it "
            f"started ({cycle[0]:.3g}): after the cycle, the last phase "
            "decays it to almost nothing"
        )
    _ok(
        f"your callback, stepped through {steps} steps on a stand-in model "
        f"(no training): the rate rises from {cycle[0]:.2g} to "
        f"{cycle[top]:.2g} (step {top + 1}), then falls to {cycle[-1]:.2g}"
    )


def check_answer(name: str, text, min_words: int = 8) -> None:
    """An open question's answer, written as a string, is more than a few words."""
    if not isinstance(text, str) or len(text.split()) < min_words:
        words = len(text.split()) if isinstance(text, str) else 0
        _fail(
            f"{name} should answer the question in a sentence or two "
            f"(at least {min_words} words; found {words})"
        )
    _ok(
        f"{name} recorded ({len(text.split())} words): compare it with the "
        "solution's answer"
    )


def check_fresh_layers(
    get_layers, trained_model, n: int, name: str | None = None
) -> None:
    """``get_layers(n)`` returns ``n`` frozen layers that are new copies:
    not ``trained_model``'s own layers, and new ones on every call, with the
    saved weights (so a variant that trains them changes nothing else)."""
    first, second = get_layers(n), get_layers(n)
    if len(first) != n:
        _fail(f"expected {_count(n, 'layer')}, got {len(first)}")
    name = name or trained_model.name
    own = {id(layer) for layer in trained_model.layers}
    if any(id(layer) in own for layer in first):
        _fail(
            f"the layers are {name}'s own: training them "
            f"would change {name} too, and the next variant "
            "would start from weights another variant trained. Load the "
            "saved model inside the function, so that every call gets new "
            "layers"
        )
    if any(a is b for a, b in zip(first, second)):
        _fail(
            "two calls returned the same layer objects: every variant "
            "must get layers of its own (load the saved model inside the "
            "function)"
        )
    trained = _dense_layers(trained_model)[:n]
    for number, (layer, source) in enumerate(zip(first, trained), 1):
        if len(layer.get_weights()) != len(source.get_weights()) or any(
            not np.array_equal(a, b)
            for a, b in zip(layer.get_weights(), source.get_weights())
        ):
            _fail(
                f"layer {number} does not hold {name}'s trained weights: "
                "load them from the saved model, do not build new layers"
            )
    _require_frozen(first)
    _ok(
        f"{_count(n, 'new frozen layer')} with {name}'s trained weights, "
        "new on every call"
    )


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


CLAIMS_MODE = (
    "DNNBOOK_CLAIMS"  # "record": a false claim is printed, not raised
)
CLAIMS_LOG = "DNNBOOK_CLAIMS_LOG"  # a JSON-lines file that gathers outcomes


def _record(statement: str, held: bool, numbers: dict) -> None:
    """Append one claim's outcome to the file named by $DNNBOOK_CLAIMS_LOG.

    A claim is identified by its statement (unique within a notebook; the
    runner names the file after the notebook), so outcomes from several runs
    of one notebook, on different seeds, can be gathered claim by claim.
    """
    path = os.environ.get(CLAIMS_LOG)
    if not path:
        return
    record = {
        "statement": statement,
        "held": held,
        "numbers": {k: _shown(v) for k, v in numbers.items()},
    }
    with open(path, "a", encoding="utf-8") as log:
        log.write(json.dumps(record, ensure_ascii=False) + "\n")


def claim(statement: str, holds, **numbers) -> None:
    """Check one run-dependent sentence of the text against this run.

    ``holds`` is the condition that makes ``statement`` true; ``numbers`` are the
    values it was judged on, printed with it. A FULL run that contradicts the
    statement raises :class:`ClaimFailed`, so ``make run`` stops and never
    commits a page whose text the outputs contradict. A FAST run (tiny subsets,
    too small to judge) still evaluates the claim but only reports the result.
    With ``DNNBOOK_CLAIMS=record`` (a seed survey), a false claim prints a ✗
    line and the run goes on; with ``DNNBOOK_CLAIMS_LOG`` set, every outcome is
    also appended to that file.
    Returns None, so that a cell ending with a claim displays nothing more.
    """
    from dnnbook.modes import fast_mode_default

    held = bool(holds)
    values = ", ".join(f"{k} = {_shown(v)}" for k, v in numbers.items())
    detail = f" ({values})" if values else ""
    fast = fast_mode_default()
    if not fast:
        _record(statement, held, numbers)
    if held:
        print(f"✓ {statement}{detail}")
    elif fast:
        print(f"· not judged in a FAST run: {statement}{detail}")
    elif os.environ.get(CLAIMS_MODE) == "record":
        print(f"✗ {statement}{detail}")
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
