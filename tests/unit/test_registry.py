from pathlib import Path

import pytest

from edge.engines import registry
from edge.engines.base import EngineContext
from edge.errors import EngineError, ModelError
from edge.models import ModelEntry, ModelFile, ModelStore

pytestmark = pytest.mark.unit


class NeedsMissingPackage:
    """An engine whose library is not installed."""

    requires = (("edge_test_no_such_module", "edge-test-no-such-package"),)


def test_unknown_engine_lists_the_choices() -> None:
    with pytest.raises(EngineError) as err:
        registry.engine_class("stt", "dragon")
    assert err.value.code == "engine-unknown"
    assert "faster-whisper" in (err.value.fix or "")


def test_missing_optional_package_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(
        registry._BUILTIN["tts"], "needs-missing", f"{__name__}:NeedsMissingPackage"
    )
    with pytest.raises(EngineError) as err:
        registry.engine_class("tts", "needs-missing")
    assert err.value.code == "engine-package-missing"
    assert "edge-test-no-such-package" in (err.value.fix or "")


def test_missing_model_file_names_the_package_to_install(tmp_path: Path) -> None:
    manifest = {
        "silero-vad": ModelEntry(
            "silero-vad",
            "vad",
            "MIT",
            "test",
            (ModelFile("edge-test-missing-weights", "1.0", "w/silero_vad.onnx", 10, "0" * 64),),
        )
    }
    context = EngineContext(ModelStore(tmp_path, manifest))
    with pytest.raises(ModelError) as err:
        registry.load_engine("vad", "silero", {}, context)
    assert err.value.code == "model-missing"
    assert "pip install --no-deps 'edge-test-missing-weights==1.0'" in (err.value.fix or "")


def test_corrupt_model_file_is_detected(tmp_path: Path) -> None:
    real = ModelStore(tmp_path).entry("silero-vad").files[0]
    wrong = ModelFile(real.package, real.version, real.path, real.size, "f" * 64)
    store = ModelStore(
        tmp_path, {"silero-vad": ModelEntry("silero-vad", "vad", "MIT", "t", (wrong,))}
    )
    [check] = list(store.verify())
    assert check.status == "corrupt"
    assert "--force-reinstall" in check.fix


def test_bad_engine_options_fail_before_loading() -> None:
    from edge.errors import ConfigError

    with pytest.raises(ConfigError) as err:
        registry.validate_options("stt", "faster-whisper", {"beam_size": 0}, key="stt.options")
    assert "beam_size" in str(err.value)


def test_every_builtin_engine_imports_without_its_library_loading() -> None:
    for kind in ("vad", "turn", "wake", "stt", "llm", "tts", "embed"):
        for name in registry.available(kind):
            cls = registry.engine_class(kind, name)
            assert hasattr(cls, "Options"), f"{kind}/{name} has no Options"
