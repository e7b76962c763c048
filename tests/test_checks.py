"""Self-checks: a ✓ line on right answers, one clear sentence on wrong ones."""

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
