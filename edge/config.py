"""edge's settings: one TOML file plus ``EDGE_*`` environment overrides, validated on load.

Environment overrides use ``__`` between key parts and a TOML literal as value, e.g.
``EDGE_STT__OPTIONS__MODEL=base`` or ``EDGE_LISTEN__TRIGGERS='["ptt"]'``; a value that is not a TOML
literal is taken as text. The example file ``config.example.toml`` documents every key.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from edge.errors import ConfigError
from edge.settings import build, setting

if TYPE_CHECKING:
    from edge.hw.board import BoardProfile

ENV_PREFIX = "EDGE_"
ENGINE_KINDS = ("vad", "turn", "wake", "stt", "llm", "tts", "embed")
"""Config sections that choose an engine by name."""
NO_TURN_ENGINE = "none"
"""``turn.engine`` value that turns the end-of-turn model off."""


def default_state_dir() -> Path:
    """Where edge keeps its databases: systemd's StateDirectory, else ~/.local/state/edge."""
    if state := os.environ.get("STATE_DIRECTORY"):
        return Path(state.split(":")[0])
    base = os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state")
    return Path(base) / "edge"


@dataclass(frozen=True, slots=True)
class DeviceConfig:
    """Who this device is."""

    id: str = "edge-dev"
    """Device id used in incident reports and MQTT topics ([A-Za-z0-9_-])."""
    site: str = "lab"
    """Site id used in incident reports and MQTT topics ([A-Za-z0-9_-])."""
    board: str = "generic"
    """Board profile: ``pi5``, ``jetson-orin-nano``, ``generic`` or a path to a profile TOML."""
    state_dir: Path = field(default_factory=default_state_dir)
    """Databases (manuals, outbox), assembled models and logs live here."""

    def __post_init__(self) -> None:
        for name in ("id", "site"):
            value = getattr(self, name)
            if not value or not all(c.isalnum() or c in "-_" for c in value):
                raise ValueError(f"device.{name} {value!r} must be letters, digits, '-' or '_'")


@dataclass(frozen=True, slots=True)
class AudioConfig:
    """Sound devices and buffering."""

    input_device: str = "default"
    """Capture device name (see ``edge devices``), or ``default``."""
    output_device: str = "default"
    """Playback device name, or ``default``."""
    block_ms: int = setting(16, min=10, max=100)
    """Capture block length (ms); 16 ms is half Silero VAD's frame, the hop at which barge-in
    onsets are judged (a longer block delays every pause by the difference)."""
    preroll_ms: int = setting(500, min=300, max=3000)
    """Audio kept from before a trigger so the first word is never cut (ms)."""


EchoCancel = Literal["hardware", "software", "webrtc", "none"]
"""Who removes the assistant's voice from the mic (see :attr:`ListenConfig.echo_cancel`)."""


@dataclass(frozen=True, slots=True)
class ListenConfig:
    """What starts a turn, and what may interrupt the assistant."""

    triggers: tuple[Literal["ptt", "wake", "vad"], ...] = ("ptt", "wake")
    """Turn starters: push-to-talk, wake word, and/or any speech (open mic)."""
    barge_in: Literal["speech", "ptt", "off"] = "speech"
    """``speech``: talking over the answer stops it; ``ptt``: only the button does; ``off``."""
    echo_cancel: EchoCancel = "software"
    """Who removes the assistant's voice from the mic: the array, edge (a linear canceller that
    keeps the technician's voice intact, for the fastest barge-in), WebRTC AEC3 (cleaner capture,
    but it mutes the first 100-200 ms of speech over the answer) or nobody."""
    echo_delay_ms: int = setting(0, min=0, max=500)
    """Playback-to-capture delay beyond what the reference alignment removes (ms)."""


@dataclass(frozen=True, slots=True)
class EndpointConfig:
    """When a spoken turn is over (see ``edge.turntaking.endpoint``)."""

    min_speech_ms: int = setting(96, min=32, max=1000)
    """Speech needed before a turn counts as started (ms)."""
    turn_pause_ms: int = setting(150, min=64, max=2000)
    """A pause this long ends the turn when the end-of-turn model (``turn``) says the technician
    has finished and the transcript of everything said does not end mid-sentence (ms)."""
    turn_threshold: float = setting(0.5, min=0.05, max=0.99)
    """End-of-turn model probability that counts as a finished turn."""
    turn_sure_threshold: float = setting(0.9, min=0.05, max=0.99)
    """End-of-turn model probability that ends a turn whose transcript ends on a comma (Whisper
    writes one where the voice did not fall, and copies its prompt's comma list)."""
    short_pause_ms: int = setting(400, min=100, max=2000)
    """A pause this long ends the turn if the transcript looks complete (ms)."""
    preflight_ms: int = setting(32, min=32, max=1000)
    """At a pause this long the utterance is transcribed and judged, speculatively (ms)."""
    long_pause_ms: int = setting(1000, min=200, max=5000)
    """A pause this long ends the turn whatever the transcript says (ms)."""
    continue_ms: int = setting(1000, min=0, max=3000)
    """Speech over the answer that starts this soon after the technician's last word goes on
    with their request: a turn ended too early (a mid-sentence pause that sounded and read
    finished) is taken back and the whole request answered once; 0 turns this off (ms)."""
    max_utterance_s: float = setting(30.0, min=2.0, max=120.0)
    """Longest turn before it is cut (s)."""
    no_speech_timeout_s: float = setting(6.0, min=1.0, max=60.0)
    """After a wake word or PTT press, give up if nothing is said for this long (s)."""
    ptt_max_s: float = setting(60.0, min=5.0, max=600.0)
    """A PTT hold longer than this is treated as a lost release (s)."""

    def __post_init__(self) -> None:
        if self.short_pause_ms > self.long_pause_ms:
            raise ValueError("endpoint.short_pause_ms must not exceed endpoint.long_pause_ms")
        if self.turn_pause_ms > self.short_pause_ms:
            raise ValueError("endpoint.turn_pause_ms must not exceed endpoint.short_pause_ms")
        if self.preflight_ms > self.turn_pause_ms:
            raise ValueError("endpoint.preflight_ms must not exceed endpoint.turn_pause_ms")


@dataclass(frozen=True, slots=True)
class BargeInConfig:
    """How speech over the answer is told from the assistant's own echo."""

    threshold: float = setting(0.6, min=0.1, max=0.99)
    """VAD probability that counts as speech while the assistant talks."""
    onset_ms: int = setting(32, min=16, max=500)
    """Sound that is not the assistant's echo needed to pause playback (ms)."""
    onset_snr_db: float = setting(15.0, min=3.0, max=60.0)
    """How far above the room's noise floor such sound must be (dB)."""
    confirm_ms: int = setting(250, min=32, max=2000)
    """Speech needed to turn a pause into an interruption (ms)."""
    resume_ms: int = setting(300, min=100, max=3000)
    """A pause with no speech for this long resumes playback (ms)."""
    echo_margin_db: float = setting(6.0, min=0.0, max=40.0)
    """How far a frequency band must exceed its expected echo to count as the technician (dB)."""


@dataclass(frozen=True, slots=True)
class VadConfig:
    """Voice activity detection."""

    engine: str = "silero"
    """Registered engine name (built in, or added by a package through an entry point)."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """Engine options (silero: model)."""


@dataclass(frozen=True, slots=True)
class WakeConfig:
    """Wake word detection (when ``wake`` is one of ``listen.triggers``)."""

    engine: str = "openwakeword"
    """Registered engine name (built in, or added by a package through an entry point)."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """Engine options (openwakeword: models, framework, custom_model, threads)."""


@dataclass(frozen=True, slots=True)
class EmbedConfig:
    """Sentence embeddings for the manuals, the router and the semantic cache."""

    engine: str = "minilm"
    """Registered engine name (built in, or added by a package through an entry point)."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """Engine options (minilm: model, max_tokens, batch)."""


@dataclass(frozen=True, slots=True)
class TurnConfig:
    """The end-of-turn model beside the VAD (see ``edge.turntaking.endpoint``)."""

    engine: str = "smart-turn"
    """Engine name: ``smart-turn`` (Pipecat's smart-turn v3.2, ONNX), or ``none`` to end turns
    on silence and the transcript alone."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """Engine options."""


@dataclass(frozen=True, slots=True)
class SttConfig:
    """Speech to text."""

    engine: str = "faster-whisper"
    """Engine name."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """Engine options (faster-whisper: model, compute_type, threads, beam_size)."""
    interim_ms: int = setting(700, min=200, max=5000)
    """Re-decode the growing utterance this often for interim transcripts (ms)."""
    bias: bool = True
    """Restore codes, units, numbers and command words of the final transcript from the manuals
    (by sound; every change is recorded for the responder, see edge.hearing.bias)."""


@dataclass(frozen=True, slots=True)
class DenoiseConfig:
    """Noise suppression in the capture path, before VAD, wake word and STT (see edge.hearing)."""

    engine: str = "board"
    """``webrtc``, ``rnnoise``, ``deepfilternet``, ``none``, or ``board``: the board profile's."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """Engine options (webrtc: level; rnnoise: mix; deepfilternet: attenuation_limit_db)."""
    when: Literal["auto", "always"] = "auto"
    """``auto``: off while a tuned mic array suppresses noise itself; ``always``: on anyway."""


@dataclass(frozen=True, slots=True)
class LlmConfig:
    """The language model that routes to tools and phrases short replies."""

    engine: str = "llama-cpp"
    """Engine name: ``llama-cpp`` (in-process) or ``ollama`` (server)."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """Engine options."""
    history_turns: int = setting(6, min=0, max=50)
    """Past exchanges kept in the conversation."""
    reply_max_tokens: int = setting(60, min=8, max=1024)
    """Longest free-text reply (tokens)."""
    router: Literal["semantic", "llm"] = "semantic"
    """Who picks the tool: ``semantic`` (by example; right for small models) or the LLM."""


@dataclass(frozen=True, slots=True)
class TtsConfig:
    """Text to speech."""

    engine: str = "piper"
    """Engine name: ``piper`` or ``espeak-ng``."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """Engine options."""
    min_sentence_chars: int = setting(12, min=1, max=200)
    """Do not send shorter pieces to TTS on their own (chars)."""
    thinking_filler: str = "One moment."
    """Said when an answer has not started after ``thinking_filler_ms`` ("" for never)."""
    thinking_filler_ms: int = setting(700, min=100, max=10000)
    """How long silence may last after the request before the thinking filler plays (ms)."""


@dataclass(frozen=True, slots=True)
class KnowledgeConfig:
    """Manuals on the device."""

    db: Path | None = None
    """SQLite file of manuals; default ``<state_dir>/manuals.db``."""
    manuals_dir: Path | None = None
    """Folder watched for new manuals; default ``<state_dir>/manuals``."""
    top_k: int = setting(3, min=1, max=20)
    """Passages considered per question."""
    cache_threshold: float = setting(0.95, min=0.5, max=1.0)
    """Cosine similarity above which a past answer is reused without the LLM."""
    cache: bool = True
    """Answer repeated questions from the semantic cache."""
    max_pages: int = setting(5000, min=1, max=100_000)
    """Most pages one manual may have; a longer PDF is refused (split it, or raise this)."""
    max_manual_mb: float = setting(32.0, min=0.01, max=4096.0)
    """Largest manual file (MB); a larger file is refused before it is read (32 MB of text is
    about 45,000 chunks to embed)."""


@dataclass(frozen=True, slots=True)
class DialogueConfig:
    """How the assistant talks: spoken citations, procedures, control words, read-backs."""

    citation: Literal["short", "full", "off"] = "off"
    """How an answer's source is said: ``off`` (on request: "source?"), ``short`` ("Section
    3.3.", about 1.4 s more per answer with piper) or ``full``. The full citation is always
    logged, printed by ``edge ask`` and in its ``--json``."""
    idle_expiry_s: float = setting(1800.0, min=60.0, max=86_400.0)
    """An open procedure and the last answer are forgotten after this long unused (s); they
    survive a restart of the daemon until then."""
    topic_turns: int = setting(3, min=0, max=20)
    """Requests the conversation's component stays a hint for ("and the M30?")."""
    topic_s: float = setting(300.0, min=10.0, max=3600.0)
    """The conversation's component is forgotten after this long (s)."""
    checkback: bool = True
    """Read a reading or an incident back for a yes when its words are doubtful (recognition
    unsure or corrected, component or unit not said)."""
    checkback_s: float = setting(60.0, min=5.0, max=600.0)
    """A read-back not answered within this long is dropped (s)."""
    earcon: bool = True
    """A short tick acknowledges "stop", "cancel" and "never mind"; otherwise silence."""
    slower_pace: float = setting(0.75, min=0.4, max=0.95)
    """Speaking rate of "slower", relative to normal."""


@dataclass(frozen=True, slots=True)
class ReportConfig:
    """Incident delivery to the fleet over MQTT (see ``edge.report``)."""

    enabled: bool = True
    """Deliver incidents over MQTT; when false they are only stored in the outbox."""
    host: str = "localhost"
    """Broker host name (must match its certificate when TLS is on)."""
    port: int = setting(8883, min=1, max=65535)
    """Broker port (8883 for TLS, 1883 without)."""
    tls: bool = True
    """Use TLS; without ``ca_file`` the system CA store verifies the broker."""
    ca_file: Path | None = None
    """CA certificate(s) that signed the broker's certificate (the fleet CA)."""
    cert_file: Path | None = None
    """This device's client certificate (mutual TLS)."""
    key_file: Path | None = None
    """Private key of ``cert_file`` (keep it mode 0600)."""
    username: str = ""
    """Broker user name; empty for none."""
    password: str = field(default="", repr=False)
    """Broker password (prefer ``password_file``); never logged."""
    password_file: Path | None = None
    """File holding the broker password (first line)."""
    client_id: str = ""
    """MQTT client id; default the device id."""
    topic_prefix: str = "fleet/v1"
    """Topics are ``<prefix>/<site>/<device>/{incident,status,telemetry}``."""
    keepalive_s: int = setting(30, min=5, max=3600)
    """MQTT keepalive (s); the broker declares the device dead after 1.5 times this."""
    session_expiry_s: int = setting(604_800, min=0, max=4_294_967_295)
    """How long the broker keeps this device's session while it is away (s)."""
    message_expiry_s: int = setting(604_800, min=60, max=4_294_967_295)
    """Incidents carry ``expires_at`` this far after creation; the broker may drop them then (s)."""
    will_delay_s: int = setting(5, min=0, max=3600)
    """Grace before the broker publishes the offline status after a lost connection (s)."""
    reconnect_min_s: float = setting(1.0, min=0.05, max=600.0)
    """First reconnect delay; it doubles, with jitter, up to ``reconnect_max_s`` (s)."""
    reconnect_max_s: float = setting(120.0, min=0.1, max=3600.0)
    """Longest reconnect delay (s)."""
    inflight: int = setting(10, min=1, max=1000)
    """Incidents published but not yet acknowledged, at most (keeps weak links responsive)."""
    refused_retry_s: float = setting(300.0, min=1.0, max=86_400.0)
    """After the broker refuses an incident (e.g. not authorized), try it again this late (s)."""
    telemetry_interval_s: float = setting(60.0, min=0.0, max=86_400.0)
    """Publish telemetry this often (s); 0 turns it off."""
    outbox: Path | None = None
    """SQLite outbox of incidents; default ``<state_dir>/outbox.db``."""
    keep_sent_days: float = setting(30.0, min=0.0, max=3650.0)
    """Delivered incidents stay listed this long before they are pruned (days)."""

    def __post_init__(self) -> None:
        if self.reconnect_min_s > self.reconnect_max_s:
            raise ValueError("report.reconnect_min_s must not exceed report.reconnect_max_s")
        if (self.cert_file is None) != (self.key_file is None):
            raise ValueError("report.cert_file and report.key_file must be set together")
        if self.password and self.password_file is not None:
            raise ValueError("set report.password or report.password_file, not both")


@dataclass(frozen=True, slots=True)
class WakeGateConfig:
    """When a wake word score counts (see ``edge.wakeword``)."""

    threshold: float = setting(0.5, min=0.05, max=0.99)
    """Score (0..1) an 80 ms chunk needs to count."""
    patience: int = setting(2, min=1, max=10)
    """Consecutive chunks at or above the threshold."""
    refractory_s: float = setting(2.0, min=0.0, max=30.0)
    """After a detection, ignore the wake word for this long (s)."""


@dataclass(frozen=True, slots=True)
class PttConfig:
    """Push-to-talk button on a GPIO pin; pin and pull come from the board profile."""

    mode: Literal["hold", "toggle"] = "hold"
    """``hold``: talk while held; ``toggle``: a tap starts and the next ends (long presses hold)."""
    bounce_ms: int = setting(30, min=0, max=500)
    """Edges this soon after an accepted edge are contact bounce (ms)."""
    hold_ms: int = setting(400, min=50, max=5000)
    """In toggle mode, a press at least this long acts as push-and-hold (ms)."""
    pin: int | None = None
    """Override the board profile's PTT pin (numbering of the board's GPIO backend)."""


@dataclass(frozen=True, slots=True)
class FeedbackConfig:
    """Status LED and buzzer on the board's GPIO pins (see ``edge.hw.feedback``)."""

    led: bool = True
    """Show listening/thinking/speaking/error on the board profile's LED pin."""
    buzzer: bool = True
    """Beep when listening starts and on errors, on the board profile's buzzer pin."""


@dataclass(frozen=True, slots=True)
class WearableConfig:
    """The PTT wearable on a serial port (protocol: ``hardware/wearable/PROTOCOL.md``)."""

    enabled: bool = False
    """Talk to a wearable at ``url``."""
    url: str = "/dev/ptt-wearable"
    """Serial device or pyserial URL (``/dev/ttyACM0``, ``loop://``)."""
    baud: int = setting(115200, min=1200, max=4_000_000)
    """UART speed (ignored by USB CDC)."""
    heartbeat_ms: int = setting(1000, min=100, max=10_000)
    """Heartbeat period, both ways (ms)."""
    timeout_ms: int = setting(3000, min=300, max=60_000)
    """The link is lost after this long without a valid frame (ms)."""
    retry_ms: int = setting(150, min=20, max=5000)
    """Resend an unacknowledged message after this long (ms)."""
    retries: int = setting(5, min=1, max=20)
    """Resends before the link is declared lost."""
    reconnect_ms: int = setting(1000, min=100, max=60_000)
    """Wait between attempts to reopen the port (ms)."""

    def __post_init__(self) -> None:
        if self.timeout_ms < 2 * self.heartbeat_ms:
            raise ValueError("wearable.timeout_ms must be at least twice wearable.heartbeat_ms")


@dataclass(frozen=True, slots=True)
class MicArrayConfig:
    """ReSpeaker USB mic array tuning, applied over USB on every (re)connection."""

    enabled: bool = True
    """Detect and tune a ReSpeaker XVF-3000 (2886:0018) or XVF3800 (2886:001A)."""
    agc: bool = True
    """Automatic gain control in the array."""
    agc_max_gain_db: float = setting(18.0, min=0.0, max=60.0)
    """AGC ceiling; lower keeps residual echo from being pumped up (dB)."""
    noise_suppression: bool = True
    """Stationary and non-stationary noise suppression."""
    echo_suppression: bool = True
    """Residual echo suppression after the AEC (needs playback through the array)."""
    hpf_hz: Literal[0, 70, 125, 180] = 125
    """High-pass filter on the mics (0 = off); 125 Hz cuts nacelle rumble (Hz)."""
    led_ring: bool = True
    """Show the assistant's state on the array's LED ring."""
    led_brightness: int = setting(8, min=0, max=31)
    """LED ring brightness (0..31)."""
    poll_s: float = setting(2.0, min=0.2, max=60.0)
    """How often to look for the array being plugged or unplugged (s)."""


@dataclass(frozen=True, slots=True)
class FleetConfig:
    """The fleet console (``edge fleet serve``, see ``docs/fleet.md``); its broker is ``[report]``.

    Only the console's host reads this section; devices ignore it.
    """

    database: str = ""
    """SQLite file, or a ``postgresql://user@host/db`` URL; default ``<state_dir>/fleet.db``."""
    listen_host: str = "127.0.0.1"
    """Address the web console listens on (put a TLS proxy in front for other hosts)."""
    listen_port: int = setting(8080, min=0, max=65535)
    """Port of the web console."""
    client_id: str = "fleet-console"
    """MQTT client id of the console; two consoles need two ids (and two databases)."""
    session_hours: float = setting(12.0, min=0.1, max=720.0)
    """A login lasts this long (hours)."""
    secure_cookies: bool = False
    """Send cookies only over HTTPS (turn on behind a TLS proxy)."""
    metrics_token_file: Path | None = None
    """File holding the bearer token Prometheus sends to ``/metrics``; unset: no ``/metrics``."""
    hass_discovery: bool = False
    """Publish Home Assistant MQTT discovery configs for each device."""
    hass_prefix: str = "homeassistant"
    """Home Assistant's discovery topic prefix."""
    telemetry_keep_days: float = setting(30.0, min=1.0, max=3650.0)
    """Device telemetry is kept this long for the plots (days); incidents are never pruned."""


@dataclass(frozen=True, slots=True)
class Config:
    """All of edge's settings."""

    device: DeviceConfig = field(default_factory=DeviceConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    listen: ListenConfig = field(default_factory=ListenConfig)
    endpoint: EndpointConfig = field(default_factory=EndpointConfig)
    barge_in: BargeInConfig = field(default_factory=BargeInConfig)
    vad: VadConfig = field(default_factory=VadConfig)
    turn: TurnConfig = field(default_factory=TurnConfig)
    wake: WakeConfig = field(default_factory=WakeConfig)
    stt: SttConfig = field(default_factory=SttConfig)
    denoise: DenoiseConfig = field(default_factory=DenoiseConfig)
    llm: LlmConfig = field(default_factory=LlmConfig)
    tts: TtsConfig = field(default_factory=TtsConfig)
    embed: EmbedConfig = field(default_factory=EmbedConfig)
    knowledge: KnowledgeConfig = field(default_factory=KnowledgeConfig)
    dialogue: DialogueConfig = field(default_factory=DialogueConfig)
    report: ReportConfig = field(default_factory=ReportConfig)
    wake_gate: WakeGateConfig = field(default_factory=WakeGateConfig)
    ptt: PttConfig = field(default_factory=PttConfig)
    feedback: FeedbackConfig = field(default_factory=FeedbackConfig)
    wearable: WearableConfig = field(default_factory=WearableConfig)
    mic_array: MicArrayConfig = field(default_factory=MicArrayConfig)
    fleet: FleetConfig = field(default_factory=FleetConfig)

    @property
    def knowledge_db(self) -> Path:
        """Resolved path of the manuals database."""
        return self.knowledge.db or self.device.state_dir / "manuals.db"

    @property
    def dialogue_state(self) -> Path:
        """Where the conversation's state is kept across restarts."""
        return self.device.state_dir / "dialogue.json"

    @property
    def manuals_dir(self) -> Path:
        """Resolved folder of manuals to ingest."""
        return self.knowledge.manuals_dir or self.device.state_dir / "manuals"


def load_config(
    path: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Config:
    """Read ``path`` (optional), apply environment then explicit overrides, validate everything.

    Raises:
        ConfigError: naming the key, the bad value and what is allowed.
    """
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(str(path), "config file not found", fix="check the path") from None
        except IsADirectoryError:
            raise ConfigError(
                str(path), "is a folder, not a config file", fix="pass the TOML file itself"
            ) from None
        except OSError as err:  # e.g. permission denied: name the file and the reason
            raise ConfigError(
                str(path), f"cannot read the config file: {err.strerror or err}"
            ) from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise ConfigError(str(path), f"not valid TOML: {err}") from None
    for dotted, value in _env_overrides(os.environ if env is None else env):
        _set_dotted(raw, dotted, value)
    for dotted, value in (overrides or {}).items():
        _set_dotted(raw, dotted, value)
    config = build(Config, raw, "")
    _validate_engine_options(config)
    board = _validate_board(config)
    return _with_board_models(config, board)


def with_overrides(config: Config, **sections: Any) -> Config:
    """Return ``config`` with whole sections replaced (for tests and tools)."""
    return replace(config, **sections)


def _env_overrides(env: Mapping[str, str]) -> list[tuple[str, Any]]:
    found = []
    for name, text in sorted(env.items()):
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        dotted = ".".join(p.lower() for p in name[len(ENV_PREFIX) :].split("__"))
        found.append((dotted, _parse_env_value(text)))
    return found


def _parse_env_value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _set_dotted(raw: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node = raw
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(dotted, f"{part!r} is a value, not a table")
        node = child
    node[parts[-1]] = value


def _validate_engine_options(config: Config) -> None:
    # Imported here: the registry imports engine modules (cheap; their heavy libraries load later).
    from edge.engines.registry import validate_options

    for kind in ENGINE_KINDS:
        choice = getattr(config, kind)
        if kind == "turn" and choice.engine == NO_TURN_ENGINE:
            continue
        validate_options(kind, choice.engine, choice.options, key=f"{kind}.options")
    if config.denoise.engine not in ("board", "none"):
        name = config.denoise.engine
        validate_options("denoise", name, config.denoise.options, key="denoise.options")


def _validate_board(config: Config) -> BoardProfile:
    # A typo in device.board must fail here, naming the valid profiles, not later on the device.
    from edge.hw.board import load_board  # pure: reads the profile TOML, imports no GPIO library

    return load_board(config.device.board)


def _with_board_models(config: Config, board: BoardProfile) -> Config:
    """``config`` with the board profile's speech model where the config names none.

    The profile's choice follows measurements on that board (docs/hearing.md); a model named in
    ``stt.options.model`` always wins.
    """
    if config.stt.engine != "faster-whisper" or "model" in config.stt.options:
        return config
    options = {**config.stt.options, "model": board.models.stt}
    return replace(config, stt=replace(config.stt, options=options))
