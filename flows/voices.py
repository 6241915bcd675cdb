"""The Amazon Polly voices a flow may set, with the engines each supports.

UpdateContactTextToSpeechVoice errors when the voice does not support the engine, and a voice
Connect does not know silences text-to-speech for the contact, so both are checked at synth.
From the Amazon Polly Developer Guide, "Available voices" and "Standard voices" (English
variants and Korean in full; other languages with their standard voices). Connect's Set voice
block offers the standard, neural and generative engines.
https://docs.aws.amazon.com/polly/latest/dg/available-voices.html
"""

from __future__ import annotations

from typing import Final

STANDARD: Final = "standard"
NEURAL: Final = "neural"
GENERATIVE: Final = "generative"
ENGINES: Final = (STANDARD, NEURAL, GENERATIVE)
# How a flow writes the engine (console exports: "Neural").
FLOW_ENGINE: Final = {STANDARD: "Standard", NEURAL: "Neural", GENERATIVE: "Generative"}

_S, _N, _G = frozenset({STANDARD}), frozenset({NEURAL}), frozenset({GENERATIVE})
VOICES: Final[dict[str, frozenset[str]]] = {
    # English (US)
    "Danielle": _N | _G,
    "Gregory": _N,
    "Ivy": _S | _N,
    "Joanna": _S | _N | _G,
    "Joey": _S | _N,
    "Justin": _N,
    "Kendra": _S | _N,
    "Kevin": _S | _N,
    "Kimberly": _S | _N,
    "Matthew": _N | _G,
    "Ruth": _N | _G,
    "Salli": _S | _N,
    "Stephen": _N | _G,
    # English (British, Australian, Indian, Irish, New Zealand, Welsh)
    "Amy": _S | _N | _G,
    "Emma": _S | _N,
    "Brian": _S | _N | _G,
    "Arthur": _N,
    "Nicole": _S,
    "Olivia": _N | _G,
    "Russell": _S,
    "Aditi": _S,
    "Raveena": _S,
    "Kajal": _N | _G,
    "Niamh": _N | _G,
    "Aria": _N | _G,
    "Geraint": _S,
    # Korean
    "Seoyeon": _S | _N,
    # Other languages: their standard voices
    **dict.fromkeys(
        (
            "Zeina", "Zhiyu", "Naja", "Mads", "Lotte", "Ruben", "Celine", "Lea", "Mathieu",
            "Chantal", "Marlene", "Vicki", "Hans", "Dora", "Karl", "Carla", "Bianca", "Giorgio",
            "Mizuki", "Takumi", "Liv", "Ewa", "Maja", "Jacek", "Jan", "Camila", "Vitoria",
            "Ricardo", "Ines", "Cristiano", "Carmen", "Tatyana", "Maxim", "Conchita", "Lucia",
            "Enrique", "Mia", "Lupe", "Penelope", "Miguel", "Astrid", "Filiz", "Gwyneth",
        ),
        _S,
    ),
}  # fmt: skip


class VoiceError(ValueError):
    """Raised for a voice Connect does not offer, or an engine the voice lacks."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(f"{setting}: {message}")
        self.setting = setting
        self.message = message


def voice_engine(voice: str, engine: str | None) -> str:
    """The engine to speak `voice` with: `engine` if the voice has it; by default neural where
    the voice has it, else standard."""
    engines = VOICES.get(voice)
    if engines is None:
        raise VoiceError(
            "voice", f"{voice!r} is not an Amazon Polly voice Connect offers; e.g. Joanna, Matthew"
        )
    if engine is None:
        return NEURAL if NEURAL in engines else STANDARD
    if engine not in ENGINES:
        raise VoiceError("engine", f"{engine!r} is not an engine; use one of {', '.join(ENGINES)}")
    if engine not in engines:
        raise VoiceError(
            "engine",
            f"{voice} has no {engine} voice; it supports {', '.join(sorted(engines))}",
        )
    return engine
