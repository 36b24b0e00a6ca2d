from pathlib import Path

import pytest

from edge.config import load_config
from edge.errors import ConfigError

pytestmark = pytest.mark.unit


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "edge.toml"
    path.write_text(text)
    return path


def test_defaults_load_and_validate() -> None:
    config = load_config(env={})
    assert config.stt.engine == "faster-whisper"
    assert config.llm.engine == "llama-cpp"
    assert config.endpoint.short_pause_ms < config.endpoint.long_pause_ms


def test_file_values_are_read(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, '[device]\nid = "wt-07"\n[stt.options]\nmodel = "base"\n'), env={}
    )
    assert config.device.id == "wt-07"
    assert config.stt.options["model"] == "base"


def test_speech_model_is_the_board_profiles_unless_the_config_names_one(tmp_path: Path) -> None:
    # The Jetson profile hears with base, the Pi 5 and a generic machine with tiny.en.
    assert load_config(env={}).stt.options["model"] == "tiny.en"
    jetson = {"device.board": "jetson-orin-nano"}
    assert load_config(env={}, overrides=jetson).stt.options["model"] == "base"
    assert load_config(env={}, overrides={"device.board": "pi5"}).stt.options["model"] == "tiny.en"
    named = load_config(env={}, overrides={**jetson, "stt.options.model": "tiny.en"})
    assert named.stt.options["model"] == "tiny.en"


def test_unknown_key_names_key_and_suggests(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, "[endpoint]\nshort_pause = 300\n"), env={})
    assert err.value.key == "endpoint.short_pause"
    assert "short_pause_ms" in (err.value.fix or "")


def test_wrong_type_names_key_and_value(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, '[audio]\npreroll_ms = "lots"\n'), env={})
    assert err.value.key == "audio.preroll_ms"
    assert "'lots'" in err.value.message


def test_out_of_range_says_what_is_allowed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, "[audio]\npreroll_ms = 100\n"), env={})
    assert err.value.key == "audio.preroll_ms"
    assert "300" in (err.value.fix or "")


def test_choice_outside_literal_lists_choices(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, '[listen]\nbarge_in = "sometimes"\n'), env={})
    assert "'speech'" in (err.value.fix or "") and "'off'" in (err.value.fix or "")


def test_cross_field_rule(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="short_pause_ms"):
        load_config(
            write(tmp_path, "[endpoint]\nshort_pause_ms = 1500\nlong_pause_ms = 800\n"), env={}
        )


def test_engine_options_are_validated_by_the_engine(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, "[stt.options]\nbeam = 5\n"), env={})
    assert err.value.key == "stt.options.beam"
    assert "beam_size" in (err.value.fix or "")


def test_unknown_engine_is_an_error(tmp_path: Path) -> None:
    from edge.errors import EngineError

    with pytest.raises(EngineError) as err:
        load_config(write(tmp_path, '[tts]\nengine = "festival"\n'), env={})
    assert err.value.code == "engine-unknown"
    assert "piper" in (err.value.fix or "")


def test_environment_overrides_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[device]\nid = "from-file"\n')
    env = {
        "EDGE_DEVICE__ID": "from-env",
        "EDGE_LISTEN__TRIGGERS": '["ptt"]',
        "EDGE_STT__OPTIONS__MODEL": "base",
    }
    config = load_config(path, env=env)
    assert config.device.id == "from-env"
    assert config.listen.triggers == ("ptt",)
    assert config.stt.options["model"] == "base"


def test_bad_environment_value_names_the_key() -> None:
    with pytest.raises(ConfigError) as err:
        load_config(env={"EDGE_AUDIO__BLOCK_MS": "fast"})
    assert err.value.key == "audio.block_ms"


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[device\n"), env={})
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml", env={})


def test_example_config_is_valid() -> None:
    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    config = load_config(example, env={})
    assert config.device.id


def test_example_config_is_generated_from_the_code() -> None:
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "scripts" / "make_config_example.py"
    spec = importlib.util.spec_from_file_location("make_config_example", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = (Path(__file__).resolve().parents[2] / "config.example.toml").read_text()
    assert committed == module.render(), "run: python scripts/make_config_example.py"
