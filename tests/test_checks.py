"""Self-checks: a ✓ line on right answers, one clear sentence on wrong ones."""

import json

import keras
import numpy as np
import pytest

from dnnbook import checks
from dnnbook.checks import CheckFailed


def mlp(
    n_hidden=3, units=8, activation="elu", initializer="he_normal", out=5
):
    model = keras.Sequential([keras.Input(shape=(4,))])
    for _ in range(n_hidden):
        model.add(
            keras.layers.Dense(
                units, activation=activation, kernel_initializer=initializer
            )
        )
    model.add(keras.layers.Dense(out, activation="softmax"))
    return model


def test_dense_stack_right(capsys):
    checks.check_dense_stack(
        mlp(), 3, 8, activation="elu", initializer="HeNormal"
    )
    assert (
        capsys.readouterr().out
        == "✓ 3 hidden Dense layers of 8 units (elu, HeNormal)\n"
    )


@pytest.mark.parametrize(
    "model, kwargs, message",
    [
        (
            lambda: mlp(n_hidden=5),
            {},
            "expected 3 hidden Dense layers of 8 units, found 5 with sizes [8]",
        ),
        (lambda: mlp(units=16), {}, "found 3 with sizes [16]"),
        (
            lambda: mlp(activation="relu"),
            {"activation": "elu"},
            "expected activation 'elu' in every hidden layer, found ['relu']",
        ),
        (
            lambda: mlp(initializer="glorot_uniform"),
            {"initializer": "HeNormal"},
            "found ['GlorotUniform']",
        ),
    ],
)
def test_dense_stack_wrong(model, kwargs, message):
    with pytest.raises(CheckFailed) as err:
        checks.check_dense_stack(model(), 3, 8, **kwargs)
    assert message in str(err.value)
    assert err.value._render_traceback_() == [
        f"✗ {err.value}"
    ]  # one line in Jupyter


def test_output_layer():
    checks.check_output_layer(mlp(), 5, "softmax")
    with pytest.raises(
        CheckFailed, match="expected an output layer of 10 units"
    ):
        checks.check_output_layer(mlp(), 10, "softmax")


def test_frozen():
    model = mlp()
    for layer in model.layers[:2]:
        layer.trainable = False
    checks.check_frozen(model.layers[:2])
    checks.check_frozen(model.layers[2:], frozen=False)
    with pytest.raises(CheckFailed, match="should be frozen but are not"):
        checks.check_frozen(model.layers)
    with pytest.raises(CheckFailed, match="no layers"):
        checks.check_frozen([])


@pytest.mark.parametrize(
    "value, ok",
    [(0.9, True), (0.3, False), (float("nan"), False), ("high", False)],
)
def test_in_range(value, ok):
    if ok:
        checks.check_in_range("accuracy", value, 0.8, 1.0)
    else:
        with pytest.raises(CheckFailed):
            checks.check_in_range("accuracy", value, 0.8, 1.0)


def test_shape():
    checks.check_shape("x", np.zeros((4, 28, 28)), (None, 28, 28))
    with pytest.raises(
        CheckFailed,
        match=r"should have shape \(None, 784\), found \(4, 28, 28\)",
    ):
        checks.check_shape("x", np.zeros((4, 28, 28)), (None, 784))


def test_balanced_pairs():
    checks.check_balanced_pairs(np.array([0, 1] * 50))
    with pytest.raises(
        CheckFailed, match="80.0% of the pairs are labelled 'same'"
    ):
        checks.check_balanced_pairs(np.array([1] * 80 + [0] * 20))
    with pytest.raises(CheckFailed, match="must be 0 or 1"):
        checks.check_balanced_pairs(np.array([0, 2]))


def test_dense_stack_without_output_layer():
    tower = keras.Sequential(
        [keras.Input(shape=(4,))]
        + [keras.layers.Dense(8, activation="elu") for _ in range(3)]
    )
    checks.check_dense_stack(tower, 3, 8, activation="elu", output=False)
    with pytest.raises(CheckFailed, match="found 2 with sizes"):
        checks.check_dense_stack(
            tower, 3, 8
        )  # the last layer taken for an output layer


def test_pair_labels():
    x = np.arange(6 * 4, dtype="float32").reshape(
        6, 4
    )  # six distinct images
    y = np.array([0, 1, 2, 0, 1, 2])
    a, b = x[[0, 1, 2, 0]], x[[3, 4, 0, 1]]
    checks.check_pair_labels(a, b, np.array([1, 1, 0, 0]), x, y)
    with pytest.raises(CheckFailed, match="2 of 4 pair labels are wrong"):
        checks.check_pair_labels(a, b, np.array([0, 0, 0, 0]), x, y)
    with pytest.raises(CheckFailed, match="not in the dataset"):
        checks.check_pair_labels(a + 100, b, np.array([1, 1, 0, 0]), x, y)
    with pytest.raises(CheckFailed, match="as many second images"):
        checks.check_pair_labels(a, b[:3], np.array([1, 1, 0, 0]), x, y)


def test_weights_unchanged():
    model = mlp()
    saved = [w.copy() for w in model.get_weights()]
    checks.check_weights_unchanged(model, saved)
    model.layers[0].kernel.assign(model.layers[0].kernel + 1.0)
    with pytest.raises(
        CheckFailed, match="1 of 8 weight arrays of .* changed"
    ):
        checks.check_weights_unchanged(model, saved)


def test_messages_count_in_good_grammar(capsys):
    checks.check_output_layer(mlp(out=1), 1, "softmax")
    assert capsys.readouterr().out == "✓ output layer: 1 unit, softmax\n"
    checks.check_dense_stack(mlp(n_hidden=1, units=1), 1, 1)
    assert capsys.readouterr().out == "✓ 1 hidden Dense layer of 1 unit\n"


# --- claims ---


def test_a_true_claim_prints_its_statement_and_numbers(capsys, monkeypatch):
    monkeypatch.setenv("DNNBOOK_FAST", "0")
    assert (
        checks.claim("BN beats plain", 0.9 > 0.8, bn=0.9, plain=0.8) is None
    )
    assert (
        capsys.readouterr().out
        == "✓ BN beats plain (bn = 0.9, plain = 0.8)\n"
    )


def test_a_false_claim_fails_a_full_run(monkeypatch):
    monkeypatch.setenv("DNNBOOK_FAST", "0")
    with pytest.raises(checks.ClaimFailed) as info:
        checks.claim("BN beats plain", False, bn=0.7, plain=0.8, runs=3)
    assert str(info.value) == (
        "the text says “BN beats plain”, but this run gives "
        "bn = 0.7, plain = 0.8, runs = 3"
    )
    assert info.value._render_traceback_() == [
        f"✗ claim failed: {info.value}"
    ]


def test_a_false_claim_is_only_reported_in_a_fast_run(capsys, monkeypatch):
    monkeypatch.setenv("DNNBOOK_FAST", "1")
    checks.claim("BN beats plain", False, bn=0.7)
    assert capsys.readouterr().out == (
        "· not judged in a FAST run: BN beats plain (bn = 0.7)\n"
    )


def test_record_mode_prints_a_false_claim_and_goes_on(capsys, monkeypatch):
    monkeypatch.setenv("DNNBOOK_FAST", "0")
    monkeypatch.setenv("DNNBOOK_CLAIMS", "record")
    checks.claim("BN beats plain", False, bn=0.7, plain=0.8)
    assert capsys.readouterr().out == (
        "✗ BN beats plain (bn = 0.7, plain = 0.8)\n"
    )


def test_claim_outcomes_are_logged_with_their_numbers(
    tmp_path, monkeypatch
):
    log = tmp_path / "claims.jsonl"
    monkeypatch.setenv("DNNBOOK_FAST", "0")
    monkeypatch.setenv("DNNBOOK_CLAIMS", "record")
    monkeypatch.setenv("DNNBOOK_CLAIMS_LOG", str(log))
    checks.claim("BN beats plain", True, bn=0.9)
    checks.claim("SELU beats ELU", False, selu=0.5, runs=3)
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert records == [
        {
            "statement": "BN beats plain",
            "held": True,
            "numbers": {"bn": "0.9"},
        },
        {
            "statement": "SELU beats ELU",
            "held": False,
            "numbers": {"selu": "0.5", "runs": "3"},
        },
    ]


def test_without_record_mode_a_false_claim_still_stops_and_is_logged(
    tmp_path, monkeypatch
):
    log = tmp_path / "claims.jsonl"
    monkeypatch.setenv("DNNBOOK_FAST", "0")
    monkeypatch.delenv("DNNBOOK_CLAIMS", raising=False)
    monkeypatch.setenv("DNNBOOK_CLAIMS_LOG", str(log))
    with pytest.raises(checks.ClaimFailed):
        checks.claim("BN beats plain", False, bn=0.7)
    assert json.loads(log.read_text())["held"] is False


# --- chapter exercises ---


def test_prediction_not_made_yet(capsys):
    checks.check_prediction(None, 0.14, 0.05, "Why.")
    assert capsys.readouterr().out.startswith("✎ Write your prediction")


@pytest.mark.parametrize(
    "guess, verdict",
    [
        (
            0.15,
            "✓ Your prediction 0.15 is within 0.05 of the measured 0.14.",
        ),
        (0.3, "✗ Your prediction 0.3 is 0.16 too high: measured 0.14."),
        (0.0, "✗ Your prediction 0 is 0.14 too low: measured 0.14."),
    ],
)
def test_prediction_says_how_far_off_and_why(capsys, guess, verdict):
    checks.check_prediction(guess, 0.14, 0.05, "Because.")
    assert capsys.readouterr().out == f"{verdict} Because.\n"


def test_choice(capsys):
    options = ["clipvalue", "clipnorm"]
    checks.check_choice("clipvalue", "clipnorm", options, "W.")
    assert capsys.readouterr().out == (
        "✗ Not 'clipvalue': the answer is 'clipnorm'. W.\n"
    )
    checks.check_choice("other", "clipnorm", options, "W.")
    assert "is not one of the options" in capsys.readouterr().out
    checks.check_choice("clipnorm", "clipnorm", options, "W.")
    assert capsys.readouterr().out.startswith("✓ 'clipnorm' is right.")


def test_function_stub_right_and_wrong(capsys):
    def stub(fan_in): ...

    checks.check_function(stub, [(6,)], [1.0], name="limit")
    assert "✎ limit is not written yet" in capsys.readouterr().out
    checks.check_function(
        lambda n: np.sqrt(6 / n), [(6,), (24,)], [1.0, 0.5], name="limit"
    )
    assert capsys.readouterr().out == "✓ limit is right on all 2 cases\n"
    with pytest.raises(CheckFailed, match=r"limit\(24\) returned 0.25"):
        checks.check_function(
            lambda n: 6 / n, [(6,), (24,)], [1.0, 0.5], name="limit"
        )


# --- checks that catch a learner's usual mistakes before the training ---


def test_compiled_needs_the_loss_and_the_accuracy_metric(capsys):
    model = mlp()
    checks.check_compiled(model, "sparse_categorical_crossentropy")
    assert capsys.readouterr().out.startswith("✎ sequential"), (
        "an uncompiled model waits for its TODO; it is no mistake yet"
    )
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    with pytest.raises(
        CheckFailed,
        match=r"model was compiled without metrics=\['accuracy'\] \(found no",
    ):
        checks.check_compiled(
            model, "sparse_categorical_crossentropy", name="model"
        )
    model.compile(
        loss="categorical_crossentropy",
        optimizer="adam",
        metrics=["accuracy"],
    )
    with pytest.raises(
        CheckFailed,
        match="compiled with the loss 'categorical_crossentropy'",
    ):
        checks.check_compiled(model, "sparse_categorical_crossentropy")
    # a loss and a metric given as objects count as their names
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(),
        optimizer="adam",
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    checks.check_compiled(
        model, "sparse_categorical_crossentropy", name="m"
    )
    assert capsys.readouterr().out.startswith("✓ m compiled with loss=")


def bn_mlp(after=False, bias=False, input_bn=True):
    model = keras.Sequential([keras.Input(shape=(4,))])
    if input_bn:
        model.add(keras.layers.BatchNormalization())
    for _ in range(2):
        model.add(
            keras.layers.Dense(
                8, activation="elu" if after else None, use_bias=bias
            )
        )
        model.add(keras.layers.BatchNormalization())
        if not after:
            model.add(keras.layers.Activation("elu"))
    model.add(keras.layers.Dense(3, activation="softmax"))
    return model


def test_bn_before_the_activation(capsys):
    checks.check_bn_before_activation(bn_mlp(), 2, input_bn=True)
    assert "Dense (no bias, no activation) -> BatchNormalization" in (
        capsys.readouterr().out
    )
    with pytest.raises(
        CheckFailed, match="layer 1 has the activation 'elu'"
    ):
        checks.check_bn_before_activation(bn_mlp(after=True), 2)
    with pytest.raises(CheckFailed, match="layer 1 has a bias"):
        checks.check_bn_before_activation(bn_mlp(bias=True), 2)
    with pytest.raises(CheckFailed, match="through a BatchNormalization"):
        checks.check_bn_before_activation(
            bn_mlp(input_bn=False), 2, input_bn=True
        )
    plain = keras.Sequential(
        [keras.Input(shape=(4,))]
        + [keras.layers.Dense(8, use_bias=False) for _ in range(2)]
        + [keras.layers.Dense(3, activation="softmax")]
    )
    with pytest.raises(CheckFailed, match="followed by BatchNormalization"):
        checks.check_bn_before_activation(plain, 2)


LADDER = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1]


def _search_rate(namespace, outward=True, wasteful=False):
    """A search_rate written in a notebook whose globals are ``namespace``."""

    def search_rate(build):
        probe = namespace["probe"]
        ladder, start = namespace["RATE_LADDER"], namespace["SEARCH_START"]
        scores = {rate: probe(build(), rate) for rate in start}
        if wasteful:  # probes the whole ladder
            return {rate: probe(build(), rate) for rate in ladder}
        while outward:
            best, tried = max(scores, key=scores.get), sorted(scores)
            i = ladder.index(best)
            if best == tried[0] and i > 0:
                scores[ladder[i - 1]] = probe(build(), ladder[i - 1])
            elif best == tried[-1] and i < len(ladder) - 1:
                scores[ladder[i + 1]] = probe(build(), ladder[i + 1])
            else:
                break
        return dict(sorted(scores.items()))

    return search_rate


def test_rate_search_against_a_stand_in_probe(capsys):
    notebooks_probe = object()
    namespace = {
        "probe": notebooks_probe,
        "RATE_LADDER": [1e-3],
        "SEARCH_START": [1e-3],
    }
    checks.check_rate_search(_search_rate(namespace), namespace)
    assert "steps outward until its best rate is bracketed" in (
        capsys.readouterr().out
    )
    # the notebook's own probe and ladder are back
    assert namespace["probe"] is notebooks_probe
    assert namespace["RATE_LADDER"] == [1e-3]
    with pytest.raises(CheckFailed, match="it should step outward"):
        checks.check_rate_search(
            _search_rate(namespace, outward=False), namespace
        )
    assert namespace["probe"] is notebooks_probe
    # a probe the notebook has not defined yet (its TODO) stays undefined
    del namespace["probe"]
    checks.check_rate_search(_search_rate(namespace), namespace)
    assert "probe" not in namespace
    namespace["probe"] = notebooks_probe
    with pytest.raises(CheckFailed, match="stop as soon as the best rate"):
        checks.check_rate_search(
            _search_rate(namespace, wasteful=True), namespace
        )


class OneCycle(keras.callbacks.Callback):
    def __init__(self, peak, total_steps, shape="cycle"):
        super().__init__()
        self.peak, self.total, self.shape = peak, total_steps, shape
        self.rates = []

    def on_train_begin(self, logs=None):
        self.rates = []  # state set when training starts is fine too

    def on_train_batch_begin(self, batch, logs=None):
        step = int(self.model.optimizer.iterations.numpy())
        half, low = int(0.45 * self.total), self.peak / 10
        up = low + (self.peak - low) * step / half
        if self.shape == "rise" or step < half:
            rate = up
        elif step < 2 * half:
            rate = self.peak - (self.peak - low) * (step - half) / half
        else:
            rate = low * (
                1 - 0.99 * (step - 2 * half) / (self.total - 2 * half)
            )
        if self.shape == "flat":
            rate = low
        if self.shape == "assign":  # Keras variables' own API, also fine
            self.model.optimizer.learning_rate.assign(rate)
        else:
            self.model.optimizer.learning_rate = rate
        if self.shape != "forgets":
            self.rates.append(rate)


@pytest.mark.parametrize(
    "shape, message",
    [
        ("cycle", None),
        ("assign", None),
        ("rise", "highest at the last step: it never decays"),
        ("flat", "highest at the first step"),
        ("forgets", "rates list holds 0 rates after 100 steps"),
    ],
)
def test_one_cycle_on_a_stand_in_model(capsys, shape, message):
    make = lambda peak, steps: OneCycle(peak, steps, shape)  # noqa: E731
    if message is None:
        checks.check_one_cycle(make, 0.01, 100)
        assert (
            "the rate rises from 0.001 to 0.01" in capsys.readouterr().out
        )
    else:
        with pytest.raises(CheckFailed, match=message):
            checks.check_one_cycle(make, 0.01, 100)


def test_one_cycle_must_peak_at_the_given_rate():
    with pytest.raises(
        CheckFailed, match="peaks at 0.01, expected peak = 0.02"
    ):
        checks.check_one_cycle(
            lambda peak, steps: OneCycle(0.01, steps), 0.02, 100
        )


def test_an_answer_is_a_sentence_or_two(capsys):
    checks.check_answer(
        "answer",
        "Two separate towers, because only tower A is reused later on.",
    )
    assert capsys.readouterr().out.startswith(
        "✓ answer recorded (11 words)"
    )
    for empty in ("", "Two towers.", None):
        with pytest.raises(
            CheckFailed, match="answer should answer the question"
        ):
            checks.check_answer("answer", empty)


def test_fresh_layers_are_new_frozen_copies(tmp_path, capsys):
    trained = mlp()
    trained.save(tmp_path / "m.keras")

    def loaded(n, freeze=True):
        layers = keras.models.load_model(tmp_path / "m.keras").layers[:n]
        for layer in layers:
            layer.trainable = not freeze
        return layers

    checks.check_fresh_layers(loaded, trained, 2, name="trained")
    assert capsys.readouterr().out == (
        "✓ 2 new frozen layers with trained's trained weights, new on every "
        "call\n"
    )
    with pytest.raises(
        CheckFailed, match="does not hold trained's trained"
    ):
        checks.check_fresh_layers(
            lambda n: mlp().layers[:n], trained, 2, name="trained"
        )
    with pytest.raises(CheckFailed, match="the layers are trained's own"):
        checks.check_fresh_layers(
            lambda n: trained.layers[:n], trained, 2, name="trained"
        )
    kept = loaded(2)
    with pytest.raises(
        CheckFailed, match="returned the same layer objects"
    ):
        checks.check_fresh_layers(lambda n: kept[:n], trained, 2)
    with pytest.raises(CheckFailed, match="should be frozen but are not"):
        checks.check_fresh_layers(lambda n: loaded(n, False), trained, 2)


def test_a_range_check_can_say_why(capsys):
    with pytest.raises(
        CheckFailed, match=r"\[0.65, 1\]: near 0.5 is guessing"
    ):
        checks.check_in_range(
            "acc", 0.5, 0.65, 1, hint="near 0.5 is guessing"
        )
