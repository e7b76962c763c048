"""restart(): a re-used compiled model trains exactly as a fresh one."""

import keras
import numpy as np
import pytest

from dnnbook.training import restart


def build(width=8):
    return keras.Sequential(
        [
            keras.Input(shape=(4,)),
            keras.layers.Dense(width, activation="relu"),
            keras.layers.BatchNormalization(),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )


def compiled(model):
    model.compile(
        optimizer=keras.optimizers.Adam(0.01),
        loss="sparse_categorical_crossentropy",
    )
    return model


def train(model, seed):
    keras.utils.set_random_seed(seed)  # the data, not the weights
    x = np.random.normal(size=(64, 4)).astype("float32")
    y = np.random.randint(0, 3, size=64)
    model.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
    return model.get_weights()


def test_a_restarted_model_trains_like_a_fresh_one():
    reused = compiled(build())
    train(reused, 0)  # moves the weights and the optimizer's state
    restart(reused, build, seed=7)
    after_restart = train(reused, 1)

    keras.utils.set_random_seed(7)
    fresh = compiled(build())
    after_fresh = train(fresh, 1)
    assert len(after_restart) == len(after_fresh)
    for a, b in zip(after_restart, after_fresh):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert int(reused.optimizer.iterations) == int(
        fresh.optimizer.iterations
    )


def test_the_seed_sets_the_initial_weights():
    model = compiled(build())
    restart(model, build, seed=1)
    first = model.get_weights()[0].copy()
    restart(model, build, seed=2)
    assert not np.allclose(first, model.get_weights()[0])
    restart(model, build, seed=1)
    np.testing.assert_array_equal(first, model.get_weights()[0])


def test_a_different_architecture_or_no_compile_is_refused():
    with pytest.raises(ValueError, match="compile"):
        restart(build(), build, seed=0)
    with pytest.raises(ValueError, match="different architecture"):
        restart(compiled(build()), lambda: build(width=5), seed=0)
