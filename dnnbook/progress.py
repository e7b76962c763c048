"""Short training logs: one line per epoch, instead of Keras' per-step timings."""

from __future__ import annotations


def epoch_log(
    metrics=("loss", "accuracy", "val_loss", "val_accuracy"), every: int = 1
):
    """A Keras callback that prints one short line every ``every`` epochs.

    ``fit(..., verbose=0, callbacks=[dnnbook.epoch_log()])`` prints, for example,
    ``epoch  3/24  loss 0.214  accuracy 0.931  val_loss 0.198  val_accuracy 0.935``.
    """
    import keras

    class EpochLog(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            total = self.params.get("epochs") or 0
            if (epoch + 1) % every and epoch + 1 != total:
                return
            shown = "  ".join(
                f"{name} {logs[name]:.3f}"
                for name in metrics
                if name in (logs or {})
            )
            width = len(str(total))
            print(
                f"epoch {epoch + 1:>{width}}/{total}  {shown}", flush=True
            )

    return EpochLog()
