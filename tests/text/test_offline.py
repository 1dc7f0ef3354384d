"""Nothing in cxpulse.text reaches the network: models and lexicons ship in the packages."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import socket

    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    socket.socket.connect = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse

    from cxpulse.text import embed, find_themes, sentiment

    vectors = embed(["El precio es alto", "The price is high"])
    assert vectors.shape == (2, 512)
    labels = [r.label for r in sentiment(["Excelente", "Terrible", "Não chegou"])]
    assert labels == ["positive", "negative", "negative"], labels
    model = find_themes(["Muy caro", "Precio alto", "Llegó tarde", "Entrega lenta"], k=2)
    print("ok", model.k)
    """
)


def test_models_and_lexicons_load_without_network() -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok 2"
