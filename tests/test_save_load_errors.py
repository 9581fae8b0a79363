"""ferrograd.load on hostile, corrupt and foreign files; weights_only; an interrupted save."""

import io
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import zipfile

import ferrograd as torch
import ferrograd.serialization
import pytest

# Recorded from PyTorch 2.15's torch.load.
UNSAFE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
    "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will "
    "likely succeed, but it can result in arbitrary code execution. Do it only if you got the "
    "file from a trusted source."
)
DOCS = (
    "\n\nCheck the documentation of torch.load to learn more about types accepted by default "
    "with weights_only https://pytorch.org/docs/stable/generated/torch.load.html."
)


def checkpoint_with_pickle(data_pkl: bytes) -> io.BytesIO:
    """A zip laid out like a checkpoint whose data.pkl is the given bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("archive/data.pkl", data_pkl)
        archive.writestr("archive/version", "3\n")
    buffer.seek(0)
    return buffer


class RunsShellCommand:
    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


class LocalThing:
    """A small local class: what a whole pickled model looks like to the loader."""

    def __init__(self, weight):
        self.weight = weight


def test_malicious_pickle_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    data = pickle.dumps({"x": RunsShellCommand(f"touch {marker}")}, protocol=2)
    with pytest.raises(pickle.UnpicklingError) as info:
        torch.load(checkpoint_with_pickle(data))
    assert not marker.exists()
    # PyTorch's message for this file (os.system pickles as posix.system on Linux).
    module = os.system.__module__
    assert str(info.value) == (
        f"Weights only load failed. {UNSAFE}\n\n\nTrying to load unsupported GLOBAL "
        f"{module}.system whose module {module} is blocked.{DOCS}"
    )


def test_unknown_class_is_refused_with_pytorchs_message():
    buffer = io.BytesIO()
    torch.save(LocalThing(torch.ones(1)), buffer)
    buffer.seek(0)
    with pytest.raises(pickle.UnpicklingError) as info:
        torch.load(buffer)
    name = f"{__name__}.LocalThing"
    assert str(info.value) == (
        "Weights only load failed. This file can still be loaded, to do so you have two options, "
        "\x1b[1mdo those steps only if you trust the source of the checkpoint\x1b[0m. \n\t(1) "
        f"{UNSAFE}\n\t(2) Alternatively, to load with `weights_only=True` please check the "
        "recommended steps in the following error message.\n\tWeightsUnpickler error: "
        f"Unsupported global: GLOBAL {name} was not an allowed global by default. Please use "
        f"`torch.serialization.add_safe_globals([{name}])` or the "
        f"`torch.serialization.safe_globals([{name}])` context manager to allowlist this global "
        f"if you trust this class/function.{DOCS}"
    )


def test_builtins_are_named_without_their_module():
    data = pickle.dumps(eval, protocol=2)  # GLOBAL __builtin__ eval
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL eval was not an allowed global"):
        torch.load(checkpoint_with_pickle(data))


def test_weights_only_false_loads_whole_objects():
    buffer = io.BytesIO()
    torch.save(LocalThing(torch.tensor([2.0, 3.0])), buffer)
    buffer.seek(0)
    thing = torch.load(buffer, weights_only=False)
    assert isinstance(thing, LocalThing) and thing.weight.tolist() == [2.0, 3.0]


def test_safe_globals_allow_a_class():
    buffer = io.BytesIO()
    torch.save(LocalThing(torch.ones(1)), buffer)
    with torch.serialization.safe_globals([LocalThing]):
        buffer.seek(0)
        assert isinstance(torch.load(buffer), LocalThing)
    assert ferrograd.serialization.get_safe_globals() == []
    ferrograd.serialization.add_safe_globals([LocalThing])
    try:
        buffer.seek(0)
        assert isinstance(torch.load(buffer), LocalThing)
    finally:
        ferrograd.serialization.clear_safe_globals()
    buffer.seek(0)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(buffer)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.pt"
    path.write_bytes(b"")
    with pytest.raises(EOFError, match="empty.pt' is empty"):
        torch.load(path)


def test_random_bytes(tmp_path):
    path = tmp_path / "noise.pt"
    path.write_bytes(bytes(range(7, 200)))
    with pytest.raises(pickle.UnpicklingError, match="noise.pt' is not a checkpoint"):
        torch.load(path)


def test_truncated_zip(tmp_path):
    good = io.BytesIO()
    torch.save(torch.arange(100.0), good)
    path = tmp_path / "cut.pt"
    path.write_bytes(good.getvalue()[: len(good.getvalue()) // 2])
    with pytest.raises(RuntimeError, match="cut.pt': failed reading zip archive"):
        torch.load(path)


def test_zip_without_data_pkl():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("archive/version", "3\n")
    buffer.seek(0)
    with pytest.raises(RuntimeError, match="failed locating file data.pkl: file not found"):
        torch.load(buffer)


def rewrite_record(source: bytes, name: str, new_data) -> io.BytesIO:
    """A copy of a checkpoint with one record's bytes replaced (None: the record removed)."""
    original = zipfile.ZipFile(io.BytesIO(source))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename.endswith(name):
                if new_data is None:
                    continue
                data = new_data
            archive.writestr(info.filename, data)
    out.seek(0)
    return out


def saved_bytes(obj) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


def test_storage_shorter_than_its_record_says():
    bad = rewrite_record(saved_bytes(torch.arange(6.0)), "data/0", b"\x00" * 8)
    with pytest.raises(RuntimeError) as info:
        torch.load(bad)
    assert "record data/0 size (8 bytes) does not match expected size (24 bytes = 6 elements" in (
        str(info.value)
    )


def test_missing_storage_record():
    bad = rewrite_record(saved_bytes(torch.arange(6.0)), "data/0", None)
    with pytest.raises(RuntimeError, match="failed locating file data/0: file not found"):
        torch.load(bad)


def test_tensor_larger_than_its_storage():
    # Hand-edit the persistent id's element count: the record and the count agree (2
    # elements) but the tensor needs 6.
    data = saved_bytes(torch.arange(6.0))
    pkl = zipfile.ZipFile(io.BytesIO(data)).read("archive/data.pkl")
    patched = pkl.replace(b"X\x03\x00\x00\x00cpuq\x04K\x06", b"X\x03\x00\x00\x00cpuq\x04K\x02")
    assert patched != pkl
    bad = rewrite_record(data, "data.pkl", patched)
    bad = rewrite_record(bad.getvalue(), "data/0", b"\x00" * 8)
    with pytest.raises(RuntimeError) as info:
        torch.load(bad)
    assert "storage data/0 is too small for a tensor saved in it" in str(info.value)
    assert "requiring a storage size of 24 are out of bounds for storage of size 8" in str(
        info.value
    )


def test_corrupt_pickle_inside_a_good_zip():
    with pytest.raises((pickle.UnpicklingError, EOFError)):
        torch.load(checkpoint_with_pickle(b"\x80\x02}q\x00(X"))


def test_unsupported_save_options_are_refused():
    with pytest.raises(ValueError, match="only writes the zip checkpoint format"):
        torch.save(torch.ones(1), io.BytesIO(), _use_new_zipfile_serialization=False)


INTERRUPTED_SAVE = textwrap.dedent(
    """
    import sys, time
    import ferrograd as torch
    from ferrograd import _serialization_zip

    # Pause the save after its second storage record, so the parent can kill it mid-write
    # at a known point instead of racing a fast disk.
    write_record = _serialization_zip.ArchiveWriter.write_record
    def write_then_pause(self, name, data):
        write_record(self, name, data)
        if name == "data/1":
            self._zip.fp.flush()
            print("midway", flush=True)
            time.sleep(60)
    _serialization_zip.ArchiveWriter.write_record = write_then_pause

    torch.save([torch.ones(1_000_000) for _ in range(4)], sys.argv[1])
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_a_save_killed_midway_leaves_the_previous_file_intact(tmp_path):
    target = tmp_path / "model.pt"
    torch.save({"good": torch.tensor([1.0, 2.0])}, target)
    before = target.read_bytes()
    child = subprocess.Popen(
        [sys.executable, "-c", INTERRUPTED_SAVE, str(target)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "midway"
        partial = [p for p in tmp_path.iterdir() if p.name != "model.pt"]
        assert len(partial) == 1 and partial[0].stat().st_size > 8_000_000
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=30)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    assert target.read_bytes() == before
    assert torch.load(target)["good"].tolist() == [1.0, 2.0]
    # What is left over is the hidden temporary file, never a half file under the target name.
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "model.pt"]
    assert len(leftovers) == 1
    assert leftovers[0].startswith(".model.pt.") and leftovers[0].endswith(".tmp")
