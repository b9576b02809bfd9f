import pytest
import torch

import mlnote_utils as mu


def test_default_is_cpu_without_accelerators(monkeypatch):
    monkeypatch.delenv("MLNOTE_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr("mlnote_utils.device._mps_available", lambda: False)
    assert mu.get_device() == torch.device("cpu")


def test_cuda_is_preferred_when_present(monkeypatch):
    monkeypatch.delenv("MLNOTE_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert mu.get_device() == torch.device("cuda")


def test_mps_comes_before_cpu(monkeypatch):
    monkeypatch.delenv("MLNOTE_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr("mlnote_utils.device._mps_available", lambda: True)
    assert mu.get_device() == torch.device("mps")


def test_environment_override(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setenv("MLNOTE_DEVICE", "cpu")
    assert mu.get_device() == torch.device("cpu")


@pytest.mark.parametrize("value", ["gpu", "tpu", "CPUX"])
def test_unknown_device_name_is_rejected(monkeypatch, value):
    monkeypatch.setenv("MLNOTE_DEVICE", value)
    with pytest.raises(ValueError, match="MLNOTE_DEVICE.*expected one of cpu, cuda, mps"):
        mu.get_device()


def test_unavailable_cuda_is_rejected(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="prefer='cuda'.*no CUDA device"):
        mu.get_device("cuda")


def test_seed_everything_repeats_all_generators():
    import random

    import numpy as np

    def draw():
        return random.random(), float(np.random.rand()), float(torch.rand(()))

    mu.seed_everything(3)
    first = draw()
    mu.seed_everything(3)
    assert draw() == first
    mu.seed_everything(4)
    assert draw() != first


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True])
def test_seed_everything_rejects_bad_seed(seed):
    with pytest.raises(ValueError, match="seed=.*non-negative integer"):
        mu.seed_everything(seed)


def test_describe_device_names_cpu_threads():
    assert mu.describe_device(torch.device("cpu")).startswith("device: cpu (")


def test_cpu_threads_restores_even_after_an_error():
    before = torch.get_num_threads()
    with pytest.raises(RuntimeError), mu.cpu_threads(1):
        assert torch.get_num_threads() == 1
        raise RuntimeError("boom")
    assert torch.get_num_threads() == before
    with mu.cpu_threads(None):
        assert torch.get_num_threads() == before


@pytest.mark.parametrize("n", [0, -2, 1.5, True])
def test_cpu_threads_rejects_bad_count(n):
    with pytest.raises(ValueError, match="n=.*positive int"), mu.cpu_threads(n):
        pass


def test_prefer_wins_over_mlnote_device_when_both_are_set(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr("mlnote_utils.device._mps_available", lambda: True)
    monkeypatch.setenv("MLNOTE_DEVICE", "mps")
    assert mu.get_device("cpu") == torch.device("cpu")
    assert mu.get_device("cuda:1") == torch.device("cuda:1")
    assert mu.get_device() == torch.device("mps")
    # a bad environment value does not matter when prefer is given; a bad prefer is named as such
    monkeypatch.setenv("MLNOTE_DEVICE", "tpu")
    assert mu.get_device("CPU") == torch.device("cpu")
    with pytest.raises(ValueError, match=r"^prefer='gpu': expected one of cpu, cuda, mps"):
        mu.get_device("gpu")


def test_unavailable_mps_is_rejected_and_blank_environment_means_automatic(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr("mlnote_utils.device._mps_available", lambda: False)
    monkeypatch.setenv("MLNOTE_DEVICE", "mps")
    with pytest.raises(ValueError, match=r"^MLNOTE_DEVICE='mps': MPS was requested but it is not available"):
        mu.get_device()
    monkeypatch.setenv("MLNOTE_DEVICE", "  ")
    assert mu.get_device() == torch.device("cpu")
    monkeypatch.setenv("MLNOTE_DEVICE", "cuda")
    with pytest.raises(ValueError, match=r"^MLNOTE_DEVICE='cuda': CUDA was requested"):
        mu.get_device()
