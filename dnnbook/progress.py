"""Progress bars for training that takes more than a few seconds.

Two forms, used the same way in every notebook:

* ``for seed in dnnbook.track(range(3), "ReLU, He"):`` a bar over the runs
  of a sweep;
* ``model.fit(..., verbose=0, callbacks=[dnnbook.epoch_progress()])``: a bar
  over the epochs of one run, with the metric that matters.

Both are text bars (tqdm) that Jupyter, VS Code, Colab and papermill show in
place while they run, with no widget extension. The runner keeps only their
final state in the committed outputs: one short line per bar.
"""

from __future__ import annotations

import sys

BAR_FORMAT = "{desc}: {n_fmt}/{total_fmt} |{bar}| {elapsed}{postfix}"
WIDTH = 72  # fits the book's code column


def _bar(**kwargs):
    from tqdm.std import tqdm

    return tqdm(
        file=sys.stdout,
        ncols=WIDTH,
        mininterval=0.5,
        bar_format=BAR_FORMAT,
        dynamic_ncols=False,
        **kwargs,
    )


def track(iterable, desc: str, total: int | None = None):
    """Iterate over ``iterable`` while a bar named ``desc`` counts the items."""
    return _bar(iterable=iterable, desc=desc, total=total)


def epoch_progress(desc: str = "epochs", metric: str = "val_accuracy"):
    """A Keras callback: a bar over the epochs of ``fit``, showing ``metric``.

    It acts once per epoch, so it does not slow training down, and works with
    ``steps_per_execution``. Where ``metric`` is not logged (no validation
    data), the training loss is shown instead.
    """
    import keras

    class EpochProgress(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.bar = _bar(total=self.params.get("epochs"), desc=desc)

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            name = metric if metric in logs else "loss"
            if name in logs:
                self.bar.set_postfix_str(
                    f"{name} {logs[name]:.4f}", refresh=False
                )
            self.bar.update(1)

        def on_train_end(self, logs=None):
            self.bar.close()

    return EpochProgress()


def final_state(text: str) -> str:
    """What a terminal shows of ``text``: each line as its last carriage return left it."""
    lines = [line.rsplit("\r", 1)[-1] for line in text.split("\n")]
    return "\n".join(lines)
